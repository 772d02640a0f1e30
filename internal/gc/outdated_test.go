// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"testing"
)

// Review #5, scenario A: an adoption whose endpoint write failed leaves
// E(web-2, uid1, X) while the pool records X for uid2; both pods are gone.
// Once the StatefulSet no longer wants ordinal 2, the claim of that dead
// endpoint is not honoured: X is freed, and the endpoint, whose address is
// then recorded for nobody, is dropped, by one Reconcile or one scan. While
// the StatefulSet still wants the ordinal, both are kept for the next
// web-2, which adopts X through the endpoint.
func TestOutdatedClaimScenarioA(t *testing.T) {
	for _, tt := range []struct {
		name     string
		replicas int32
		scan     bool
	}{
		{"ordinal unwanted, reconcile", 1, false},
		{"ordinal unwanted, scan", 1, true},
		{"ordinal wanted, reconcile", 3, false},
		{"ordinal wanted, scan", 3, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.statefulSet("web", 3, 0)
			node := e.node("n", true)
			uid1 := e.pod("web-2", node, ofStatefulSet("web"))
			pool := e.pool("v4")
			e.endpoint("web-2", string(uid1.UID), owner{kind: "StatefulSet", name: "web"}, poolAddr{pool, e.ip(1)})
			uid2 := e.recreate(uid1, ofStatefulSet("web"))
			adopted := recOf(e.ip(1), uid2)
			e.setRecords(pool, adopted)
			e.remove(uid2)
			e.scaleStatefulSet("web", tt.replicas)

			if tt.scan {
				e.scan()
			} else if _, err := e.reconcile("web-2"); err != nil {
				t.Fatal(err)
			}
			if tt.replicas == 3 {
				e.wantRecords(pool, adopted)
				e.wantEndpoint("web-2", epKept)
				return
			}
			e.wantRecords(pool)
			e.wantEndpoint("web-2", epDeleted)
		})
	}
}

// Review #5, scenario B: the controller stopped between freeing an
// incarnation's records and dropping its endpoint. A new collector, which
// remembers nothing, drops the endpoint because its addresses are recorded
// for nobody: a stateless endpoint that Kubernetes is deleting (only the
// finalizer held it) goes, and so does a StatefulSet endpoint of an ordinal
// no longer wanted, which would otherwise hand freed addresses to the next
// pod of the name.
func TestRestartBetweenReleaseAndDropScenarioB(t *testing.T) {
	e := newEnv(t, nil)
	e.statefulSet("web", 0, 0)
	node := e.node("n", true)
	p := e.pod("p", node)
	sts := e.pod("web-0", node, ofStatefulSet("web"))
	pool := e.pool("v4") // the records are already freed
	ep := e.endpoint("p", string(p.UID), podOwner(p), poolAddr{pool, e.ip(1)})
	e.endpoint("web-0", string(sts.UID), owner{kind: "StatefulSet", name: "web"}, poolAddr{pool, e.ip(2)})
	e.remove(p)
	e.remove(sts)
	if err := e.c.Delete(e.ctx(), ep); err != nil { // the owner reference's garbage collection
		t.Fatal(err)
	}
	e.wantEndpoint("p", epTerminate)

	e.gc = newTestCollector(t, e.gc.opts, e.c, e.c)
	for _, name := range []string{"p", "web-0"} {
		if _, err := e.reconcile(name); err != nil {
			t.Fatal(err)
		}
		e.wantEndpoint(name, epDeleted)
	}
}
