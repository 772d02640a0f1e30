// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq

import (
	"net/netip"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	toolscache "k8s.io/client-go/tools/cache"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
)

func claimObj(pool, ip, uid string) *ipamclaimsv1alpha1.SpiderIPClaim {
	return &ipamclaimsv1alpha1.SpiderIPClaim{ObjectMeta: metav1.ObjectMeta{Name: pool + "." + ip},
		Spec: ipamclaimsv1alpha1.IPClaimSpec{Pool: pool, IP: ip, PodNamespace: "ns", PodName: "p", PodUID: uid}}
}

// TestIndexFollowsTheEvents: adds, a change of holder and deletes (also
// as a tombstone) each show in the pool's view; other pools are apart.
func TestIndexFollowsTheEvents(t *testing.T) {
	x := NewIndex()
	x.OnAdd(claimObj("a", "10.0.0.1", "u1"), true)
	if _, ok := x.pool("a"); ok {
		t.Fatal("the index answered before its informer synced")
	}
	x.SetSynced(func() bool { return true })
	x.OnAdd(claimObj("a", "10.0.0.2", "u1"), false)
	x.OnAdd(claimObj("b", "10.0.0.3", "u3"), false)
	x.OnAdd(claimObj("a", "not-an-ip", "u9"), false)
	v, _ := x.pool("a")
	ip1, ip2, ip3 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.3")
	if v.count() != 2 || !v.claimed(ip1) || !v.claimed(ip2) || v.claimed(ip3) {
		t.Fatalf("pool a: count %d, claimed %t %t %t; want 2 claims, 10.0.0.1 and .2", v.count(), v.claimed(ip1), v.claimed(ip2), v.claimed(ip3))
	}
	if a, ok := v.heldBy("u1", map[netip.Addr]bool{ip1: true}); !ok || a != ip2 {
		t.Errorf("heldBy(u1, avoiding .1) = %v %t; want 10.0.0.2", a, ok)
	}
	x.OnUpdate(nil, claimObj("a", "10.0.0.1", "u2"))
	if a, ok := v.heldBy("u2", nil); !ok || a != ip1 {
		t.Errorf("after adoption, heldBy(u2) = %v %t; want 10.0.0.1", a, ok)
	}
	if a, _ := v.heldBy("u1", nil); a != ip2 {
		t.Errorf("after adoption, heldBy(u1) = %v; want 10.0.0.2 only", a)
	}
	x.OnDelete(claimObj("a", "10.0.0.1", "u2"))
	x.OnDelete(toolscache.DeletedFinalStateUnknown{Key: "a.10.0.0.2", Obj: claimObj("a", "10.0.0.2", "u1")})
	x.OnDelete("not a claim")
	if v.count() != 0 || v.claimed(ip1) || v.claimed(ip2) {
		t.Errorf("pool a after the deletes: count %d; want none", v.count())
	}
	if _, ok := v.heldBy("u1", nil); ok {
		t.Error("heldBy(u1) after its claims were deleted")
	}
	if w, _ := x.pool("b"); !w.claimed(ip3) || w.count() != 1 {
		t.Error("pool b lost its claim")
	}
}
