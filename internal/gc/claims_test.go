// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/config"
)

// With the claim storage, a dead pod's release deletes its claims (those
// its endpoint lists and those only the claims name) and retires its
// endpoint; a live pod's claims stay; the pool records are left to the
// projector, by the reconciler and by the scan alike.
func TestClaimsOfDeadPodDeleted(t *testing.T) {
	for _, scan := range []bool{false, true} {
		t.Run(map[bool]string{false: "reconcile", true: "scan"}[scan], func(t *testing.T) {
			e := newClaimEnv(t, nil)
			node := e.node("n", true)
			dead, live := e.pod("dead", node), e.pod("live", node)
			recs := []rec{recOf(e.ip(1), dead), recOf(e.ip(3), live)} // as projected: ip 2 not yet
			pool := e.pool("v4", recs...)
			e.claim(pool, e.ip(1), "dead", string(dead.UID))
			e.claim(pool, e.ip(2), "dead", string(dead.UID))
			e.claim(pool, e.ip(3), "live", string(live.UID))
			e.endpoint("dead", string(dead.UID), podOwner(dead), poolAddr{pool, e.ip(1)})
			e.endpoint("live", string(live.UID), podOwner(live), poolAddr{pool, e.ip(3)})
			e.remove(dead)

			if scan {
				e.scan()
			} else {
				for _, name := range []string{"dead", "live"} {
					if _, err := e.reconcile(name); err != nil {
						t.Fatal(err)
					}
				}
			}
			e.wantClaims(pool, map[string]string{e.ip(1): "", e.ip(2): "", e.ip(3): string(live.UID)})
			e.wantEndpoint("dead", epDeleted)
			e.wantEndpoint("live", epKept)
			e.wantRecords(pool, recs...) // the projector's to drop
			if got := e.counter(MetricGCCounts); got != 2 {
				t.Errorf("%s = %v, want 2", MetricGCCounts, got)
			}
		})
	}
}

// A claim whose holder is dead goes even when no record or endpoint names
// it (the projector has not written it yet), found through the claims by
// holder; a record without a claim is the projector's to adopt and stays.
func TestClaimWithoutRecord(t *testing.T) {
	for _, scan := range []bool{false, true} {
		t.Run(map[bool]string{false: "reconcile", true: "scan"}[scan], func(t *testing.T) {
			e := newClaimEnv(t, nil)
			node := e.node("n", true)
			late, unadopted := e.pod("late", node), e.pod("unadopted", node)
			orphan := recOf(e.ip(2), unadopted)
			pool := e.pool("v4", orphan)
			e.claim(pool, e.ip(1), "late", string(late.UID))
			e.remove(late)
			e.remove(unadopted)

			if scan {
				e.scan()
			} else {
				for _, name := range []string{"late", "unadopted"} {
					if _, err := e.reconcile(name); err != nil {
						t.Fatal(err)
					}
				}
			}
			e.wantClaims(pool, map[string]string{e.ip(1): ""})
			e.wantRecords(pool, orphan)
		})
	}
}

// A claim at an address of a dead incarnation's endpoint that another pod
// holds is kept, and makes the endpoint outdated: a StatefulSet endpoint
// nobody wants then only loses its finalizer (enableCleanOutdatedEndpoint
// off), while one whose addresses nobody claims is deleted.
func TestClaimHeldByOthers(t *testing.T) {
	for _, held := range []bool{true, false} {
		t.Run(map[bool]string{true: "held by another pod", false: "claimed by nobody"}[held], func(t *testing.T) {
			e := newClaimEnv(t, nil)
			e.statefulSet("web", 0, 0)
			node := e.node("n", true)
			web, other := e.pod("web-0", node, ofStatefulSet("web")), e.pod("other", node)
			pool := e.pool("v4")
			e.endpoint("web-0", string(web.UID), owner{kind: "StatefulSet", name: "web"}, poolAddr{pool, e.ip(1)})
			if held {
				e.claim(pool, e.ip(1), "other", string(other.UID))
			}
			e.remove(web)

			if _, err := e.reconcile("web-0"); err != nil {
				t.Fatal(err)
			}
			if !held {
				e.wantEndpoint("web-0", epDeleted)
				return
			}
			e.wantClaims(pool, map[string]string{e.ip(1): string(other.UID)})
			e.wantEndpoint("web-0", epUnpinned)
			if got := e.counter(MetricGCCounts); got != 0 {
				t.Errorf("%s = %v, want 0", MetricGCCounts, got)
			}
		})
	}
}

// A claim deleted and created again for another pod, or adopted by a
// re-created pod of the same name, between the GC's read and its delete
// survives: the delete is conditional on the claim read (UID and
// resourceVersion).
func TestClaimChangedBeforeDelete(t *testing.T) {
	for _, adopt := range []bool{false, true} {
		t.Run(map[bool]string{false: "created again for another pod", true: "adopted by a pod of the same name"}[adopt], func(t *testing.T) {
			e := newClaimEnv(t, nil)
			node := e.node("n", true)
			dead := e.pod("p", node)
			pool := e.pool("v4")
			e.claim(pool, e.ip(1), "p", string(dead.UID))
			e.endpoint("p", string(dead.UID), podOwner(dead), poolAddr{pool, e.ip(1)})
			next := e.recreate(dead)
			name, err := claims.Name(pool, netip.MustParseAddr(e.ip(1)))
			if err != nil {
				t.Fatal(err)
			}
			e.gc.api = &raceReader{Reader: e.c, race: func() {
				if adopt {
					e.adoptClaim(name, string(next.UID))
					return
				}
				if err := e.c.Delete(e.ctx(), &ipamclaimsv1alpha1.SpiderIPClaim{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
					t.Fatal(err)
				}
				e.claim(pool, e.ip(1), "p", string(next.UID))
			}}

			if _, err := e.reconcile("p"); err != nil {
				t.Fatal(err)
			}
			e.wantClaims(pool, map[string]string{e.ip(1): string(next.UID)})
			if got := e.counter(MetricGCCounts); got != 0 {
				t.Errorf("%s = %v, want 0", MetricGCCounts, got)
			}
			if got := e.counter(MetricReleaseConflictCounts); got < 1 {
				t.Errorf("%s = %v, want at least 1 (the lost delete)", MetricReleaseConflictCounts, got)
			}
		})
	}
}

// With the claim storage off, claims are not looked at: a dead pod's
// claim stays, its records go as before.
func TestClaimsIgnoredWhenOff(t *testing.T) {
	e := newEnv(t, nil)
	node := e.node("n", true)
	dead := e.pod("dead", node)
	pool := e.pool("v4", recOf(e.ip(1), dead))
	e.claim(pool, e.ip(1), "dead", string(dead.UID))
	e.claim(pool, e.ip(2), "dead", string(dead.UID))
	e.remove(dead)
	e.scan()
	e.wantRecords(pool)
	e.wantClaims(pool, map[string]string{e.ip(1): string(dead.UID), e.ip(2): string(dead.UID)})
}

// A created claim, or one given to another pod UID, maps to its holder;
// claims without one are skipped, and indexed under nothing.
func TestClaimHolder(t *testing.T) {
	for _, tt := range []struct {
		spec ipamclaimsv1alpha1.IPClaimSpec
		want []reconcile.Request
		key  []string
	}{
		{ipamclaimsv1alpha1.IPClaimSpec{PodNamespace: "ns", PodName: "a"},
			[]reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: "ns", Name: "a"}}}, []string{"ns/a"}},
		{ipamclaimsv1alpha1.IPClaimSpec{PodName: "b"}, nil, nil},
		{ipamclaimsv1alpha1.IPClaimSpec{PodNamespace: "ns"}, nil, nil},
	} {
		cl := &ipamclaimsv1alpha1.SpiderIPClaim{Spec: tt.spec}
		adopted := cl.DeepCopy()
		adopted.Spec.PodUID = "new"
		if diff := cmp.Diff(tt.want, adoptedClaimHolder(cl, adopted)); diff != "" {
			t.Errorf("adoptedClaimHolder(%+v) (-want +got):\n%s", tt.spec, diff)
		}
		if got := adoptedClaimHolder(cl, cl.DeepCopy()); got != nil {
			t.Errorf("adoptedClaimHolder of an unchanged UID = %v, want none", got)
		}
		if diff := cmp.Diff(tt.want, claimHolder(cl)); diff != "" {
			t.Errorf("claimHolder(%+v) (-want +got):\n%s", tt.spec, diff)
		}
		if diff := cmp.Diff(tt.key, indexClaimHolder(cl)); diff != "" {
			t.Errorf("indexClaimHolder(%+v) (-want +got):\n%s", tt.spec, diff)
		}
	}
}

// With the claim storage on, Setup registers the claims by holder index and
// the claim watch: the start-up scan, a pod's deletion and a claim created
// for a pod that is gone each delete the claims of dead pods, while the
// pool records are left to the projector.
func TestSetupWiringClaims(t *testing.T) {
	e := newEnv(t, nil)
	ready := e.node("ready", true)
	early, live, p := e.pod("early", ready), e.pod("live", ready), e.pod("p", ready)
	unadopted := recOf(e.ip(9), early)
	pool := e.pool("v4", unadopted)
	e.claim(pool, e.ip(1), "early", string(early.UID))
	e.claim(pool, e.ip(4), "live", string(live.UID))
	e.remove(early)

	startManager(t, Options{GC: config.GCEnv{Enabled: true}, ClaimStorage: true})
	eventually(t, "start-up scan deletes the claim of a dead pod", func() bool { return e.claimHolder(pool, e.ip(1)) == "" })

	e.claim(pool, e.ip(2), "p", string(p.UID))
	e.endpoint("p", string(p.UID), podOwner(p), poolAddr{pool, e.ip(2)})
	e.remove(p)
	eventually(t, "pod deletion deletes its claim", func() bool { return e.claimHolder(pool, e.ip(2)) == "" })
	eventually(t, "pod deletion deletes its endpoint", func() bool { s, _ := e.endpointState("p"); return s == epDeleted })

	e.claim(pool, e.ip(3), "ghost", "uid-of-a-pod-never-seen")
	eventually(t, "a claim of a pod that is gone is deleted on creation", func() bool { return e.claimHolder(pool, e.ip(3)) == "" })

	e.wantClaims(pool, map[string]string{e.ip(4): string(live.UID)})
	e.wantRecords(pool, unadopted)
}
