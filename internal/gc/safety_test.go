// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
)

// A StatefulSet pod re-created under the same name (Spiderpool #3751,
// #3817, #2442): before the agent adopts the endpoint, the old incarnation
// is kept for it; after the adoption the records carry the new UID and
// stay; a record of the old UID that was not adopted is freed.
func TestStatefulSetRecreatedSameName(t *testing.T) {
	e := newEnv(t, nil)
	e.statefulSet("db", 1, 0)
	node := e.node("n", true)
	old := e.pod("db-0", node, ofStatefulSet("db"))
	pool := e.pool("v4", recOf(e.ip(1), old), recOf(e.ip(2), old))
	e.endpoint("db-0", string(old.UID), owner{kind: "StatefulSet", name: "db"}, poolAddr{pool, e.ip(1)}, poolAddr{pool, e.ip(2)})
	cur := e.recreate(old, ofStatefulSet("db"))

	// The new pod exists, the agent has not adopted yet.
	e.scan()
	if _, err := e.reconcile("db-0"); err != nil {
		t.Fatal(err)
	}
	e.wantRecords(pool, recOf(e.ip(1), old), recOf(e.ip(2), old))
	e.wantEndpoint("db-0", epKept)

	// The agent adopts: records first (only ip 1: ip 2's pool is no longer
	// selected, say), then the endpoint. ip 2 stays behind with the old UID.
	e.setRecords(pool, recOf(e.ip(1), cur), recOf(e.ip(2), old))
	e.scan() // mid-adoption: the endpoint still records the old UID
	e.wantRecords(pool, recOf(e.ip(1), cur), recOf(e.ip(2), old))
	e.readopt("db-0", string(cur.UID))
	e.scan()
	if _, err := e.reconcile("db-0"); err != nil {
		t.Fatal(err)
	}
	// ip 2 is still listed by the endpoint: kept, as an address the
	// endpoint hands out must never be free.
	e.wantRecords(pool, recOf(e.ip(1), cur), recOf(e.ip(2), old))
	e.wantEndpoint("db-0", epKept)

	// The agent rewrites the endpoint without ip 2: now it is a leftover.
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	if err := e.c.Get(e.ctx(), keyIn(e.ns, "db-0"), ep); err != nil {
		t.Fatal(err)
	}
	ep.Status.Current.IPs = ep.Status.Current.IPs[:1]
	if err := e.c.Update(e.ctx(), ep); err != nil {
		t.Fatal(err)
	}
	e.scan()
	e.wantRecords(pool, recOf(e.ip(1), cur))
	e.wantEndpoint("db-0", epKept)
}

// A stateless pod re-created under the same name: the old incarnation's
// record is freed, the new one's kept, with or without its endpoint.
func TestPodUIDChanged(t *testing.T) {
	e := newEnv(t, nil)
	node := e.node("n", true)
	old := e.pod("p", node)
	oldRec := recOf(e.ip(1), old)
	cur := e.recreate(old)
	pool := e.pool("v4", oldRec, recOf(e.ip(2), cur))
	e.scan() // new ADD in flight: no endpoint yet
	e.wantRecords(pool, recOf(e.ip(2), cur))

	e.setRecords(pool, oldRec, recOf(e.ip(2), cur))
	e.endpoint("p", string(cur.UID), podOwner(cur), poolAddr{pool, e.ip(2)})
	e.scan()
	if _, err := e.reconcile("p"); err != nil {
		t.Fatal(err)
	}
	e.wantRecords(pool, recOf(e.ip(2), cur))
	e.wantEndpoint("p", epKept)
}

// An agent writes the pool record first and the endpoint last; scans in
// between keep the record, whatever the pod's state, while the pod of that
// UID exists.
func TestAllocationInFlight(t *testing.T) {
	e := newEnv(t, nil)
	node := e.node("n", false)
	p := e.pod("p", node)
	pool := e.pool("v4", recOf(e.ip(1), p))
	for range 3 {
		e.scan()
	}
	e.wantRecords(pool, recOf(e.ip(1), p))
	e.endpoint("p", string(p.UID), podOwner(p), poolAddr{pool, e.ip(1)})
	e.scan()
	e.wantRecords(pool, recOf(e.ip(1), p))
	e.wantEndpoint("p", epKept)
}

// The cache is only a filter: a cache that shows no pod and no endpoint
// (a pod created after the cache was filled, whereabouts#207) frees
// nothing, because every release is decided again on the API server.
func TestStaleCacheFreesNothing(t *testing.T) {
	e := newEnv(t, nil)
	node := e.node("n", true)
	withEP := e.pod("with-ep", node)
	noEP := e.pod("no-ep", node)
	pool := e.pool("v4", recOf(e.ip(1), withEP), recOf(e.ip(2), noEP))
	ep := e.endpoint("with-ep", string(withEP.UID), podOwner(withEP), poolAddr{pool, e.ip(1)})

	stored := &spiderpoolv2beta1.SpiderIPPool{}
	if err := e.c.Get(e.ctx(), client.ObjectKey{Name: pool}, stored); err != nil {
		t.Fatal(err)
	}
	stale := fake.NewClientBuilder().WithScheme(ipamtest.Scheme()).WithObjects(stored, ep.DeepCopy()).
		WithIndex(&spiderpoolv2beta1.SpiderIPPool{}, poolHolderIndex, newRecordMemo().indexHolders).Build()
	e.gc.cache = stale // sees the pool and the endpoint, but no pod at all
	e.scan()
	if _, err := e.reconcile("with-ep"); err != nil {
		t.Fatal(err)
	}
	e.wantRecords(pool, recOf(e.ip(1), withEP), recOf(e.ip(2), noEP))
	e.wantEndpoint("with-ep", epKept)
	if got := e.counter(MetricGCCounts); got != 0 {
		t.Errorf("%s = %v, want 0", MetricGCCounts, got)
	}
}

// The race the UID checks exist for: the GC has decided, on fresh reads,
// that a scaled-down StatefulSet pod is dead; before it writes, the
// StatefulSet is scaled up again and the agent adopts the endpoint for the
// new pod. The GC's pool write conflicts, the re-read record no longer
// matches, and the endpoint, re-read after its own conflict, records
// another UID: nothing of the new pod is touched.
func TestAdoptionDuringRelease(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.EnableCleanOutdatedEndpoint = true })
	e.statefulSet("web", 0, 0)
	node := e.node("n", true)
	old := e.pod("web-0", node, ofStatefulSet("web"))
	pool := e.pool("v4", recOf(e.ip(1), old))
	e.endpoint("web-0", string(old.UID), owner{kind: "StatefulSet", name: "web"}, poolAddr{pool, e.ip(1)})
	e.remove(old)

	var cur *corev1.Pod
	var adopted atomic.Bool
	api := interceptor.NewClient(newWatchClient(t), interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			err := c.Get(ctx, key, obj, opts...)
			if _, isPool := obj.(*spiderpoolv2beta1.SpiderIPPool); isPool && err == nil && adopted.CompareAndSwap(false, true) {
				e.scaleStatefulSet("web", 1) // too late for the GC's decision
				cur = e.pod("web-0", node, ofStatefulSet("web"))
				e.setRecords(pool, recOf(e.ip(1), cur))
				e.readopt("web-0", string(cur.UID))
			}
			return err
		},
	})
	e.gc.api = api
	if _, err := e.reconcile("web-0"); err != nil {
		t.Fatal(err)
	}
	if !adopted.Load() {
		t.Fatal("the GC did not try to release")
	}
	e.wantRecords(pool, recOf(e.ip(1), cur))
	if state, uid := e.endpointState("web-0"); state != epKept || uid != string(cur.UID) {
		t.Errorf("endpoint: %s, uid %s; want kept with the new pod's uid %s", state, uid, cur.UID)
	}
	if got := e.counter(MetricReleaseConflictCounts); got < 1 {
		t.Errorf("%s = %v, want >= 1", MetricReleaseConflictCounts, got)
	}
	if got := e.counter(MetricGCCounts); got != 0 {
		t.Errorf("%s = %v, want 0", MetricGCCounts, got)
	}
}

func newWatchClient(t *testing.T) client.WithWatch {
	t.Helper()
	c, err := client.NewWithWatch(apiServer.cfg, client.Options{Scheme: ipamtest.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enableCleanOutdatedEndpoint: the endpoint of a dead StatefulSet
// incarnation whose address the pool now gives to another pod (Spiderpool's
// outdated endpoint) loses its finalizer, and is deleted only with the
// switch. A stateless endpoint with no record left is dropped whatever the
// switch says, as is a StatefulSet endpoint whose addresses are recorded
// for nobody.
func TestCleanOutdatedEndpoint(t *testing.T) {
	for _, on := range []bool{false, true} {
		e := newEnv(t, func(o *Options) { o.EnableCleanOutdatedEndpoint = on })
		e.statefulSet("web", 0, 0)
		node := e.node("n", true)
		p := e.pod("p", node)
		outdated, unheld := e.pod("web-0", node, ofStatefulSet("web")), e.pod("web-1", node, ofStatefulSet("web"))
		other := e.pod("other", node)
		pool := e.pool("v4", recOf(e.ip(2), other))
		e.endpoint("p", string(p.UID), podOwner(p), poolAddr{pool, e.ip(1)}, poolAddr{e.ns + "-deleted-pool", e.ip(9)})
		e.endpoint("web-0", string(outdated.UID), owner{kind: "StatefulSet", name: "web"}, poolAddr{pool, e.ip(2)})
		e.endpoint("web-1", string(unheld.UID), owner{kind: "StatefulSet", name: "web"}, poolAddr{pool, e.ip(3)})
		for _, pod := range []*corev1.Pod{p, outdated, unheld} {
			e.remove(pod)
		}
		e.scan()
		e.wantEndpoint("p", epDeleted)
		e.wantEndpoint("web-1", epDeleted)
		if on {
			e.wantEndpoint("web-0", epDeleted)
		} else {
			e.wantEndpoint("web-0", epUnpinned)
		}
		e.wantRecords(pool, recOf(e.ip(2), other))
	}
}

// An endpoint whose records this GC released is dropped on retry when
// dropping it failed the first time: it no longer holds records, and its
// addresses are recorded for nobody (the switch above is off).
func TestEndpointDroppedAfterFailedAttempt(t *testing.T) {
	e := newEnv(t, nil)
	p := e.pod("p", e.node("n", true))
	pool := e.pool("v4", recOf(e.ip(1), p))
	e.endpoint("p", string(p.UID), podOwner(p), poolAddr{pool, e.ip(1)})
	e.remove(p)
	errInjected := errors.New("injected: API server unavailable")
	var failed atomic.Bool
	failing := interceptor.NewClient(newWatchClient(t), interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			if _, isEP := obj.(*spiderpoolv2beta1.SpiderEndpoint); isEP && failed.CompareAndSwap(false, true) {
				return errInjected
			}
			return c.Patch(ctx, obj, patch, opts...)
		},
	})
	e.gc = newTestCollector(t, e.gc.opts, failing, e.c)
	if _, err := e.reconcile("p"); !errors.Is(err, errInjected) {
		t.Fatalf("first attempt: err = %v, want the injected error", err)
	}
	e.wantRecords(pool)
	e.wantEndpoint("p", epKept)
	if _, err := e.reconcile("p"); err != nil {
		t.Fatal(err)
	}
	e.wantEndpoint("p", epDeleted)
	if got := e.counter(MetricGCFailureCounts); got != 1 {
		t.Errorf("%s = %v, want 1", MetricGCFailureCounts, got)
	}
}
