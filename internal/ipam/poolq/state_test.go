// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

func v4Pool(subnet string, ips ...string) *spiderpoolv2beta1.SpiderIPPool {
	return &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "uid-pool"},
		Spec:       spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: subnet, IPs: ips},
	}
}

// TestUsableCacheKeyedBySpec: another spec under the same name, UID and
// generation is not served the cached usable set.
func TestUsableCacheKeyedBySpec(t *testing.T) {
	cache := &usableCache{}
	if _, err := newPoolState(v4Pool("10.1.0.0/24", "10.1.0.10-10.1.0.20"), reservedIPs{}, cache); err != nil {
		t.Fatal(err)
	}
	st, err := newPoolState(v4Pool("10.2.0.0/24", "10.2.0.10-10.2.0.20"), reservedIPs{}, cache)
	if err != nil {
		t.Fatal(err)
	}
	op := &poolOp{kind: opAllocate, podKey: "ns/x", uid: "uid-x"}
	if st.apply(op, 100); op.res.err != nil || op.res.ip.String() != "10.2.0.10" {
		t.Errorf("allocated %v, %v; want 10.2.0.10", op.res.ip, op.res.err)
	}
}

// TestAllocationOutsideSpecRefused: should a usable set of another object
// ever be used, the address it offers is refused and the state is marked so
// that the queue drops the cached set.
func TestAllocationOutsideSpecRefused(t *testing.T) {
	cache := &usableCache{}
	if _, err := newPoolState(v4Pool("10.1.0.0/24", "10.1.0.10-10.1.0.20"), reservedIPs{}, cache); err != nil {
		t.Fatal(err)
	}
	other := v4Pool("10.2.0.0/24", "10.2.0.10-10.2.0.20")
	cache.key.spec = specHash(&other.Spec) // a stale set under the new key
	st, err := newPoolState(other, reservedIPs{}, cache)
	if err != nil {
		t.Fatal(err)
	}
	op := &poolOp{kind: opAllocate, podKey: "ns/x", uid: "uid-x"}
	if st.apply(op, 100) || !errors.Is(op.res.err, ErrBadRecord) || !st.outOfSpec {
		t.Errorf("allocated %v, %v, outOfSpec %v; want ErrBadRecord and outOfSpec", op.res.ip, op.res.err, st.outOfSpec)
	}
}

// TestUndecodableRecordsKept (review #10): a status.allocatedIPs key that is
// no address of the pool's family does not stop the pool: it is kept as
// written and counted; an IPv4-mapped key in an IPv4 pool holds its IPv4
// address.
func TestUndecodableRecordsKept(t *testing.T) {
	st := testState(t, []string{"10.0.0.1-10.0.0.5"}, spiderpoolv2beta1.PoolIPAllocations{
		"bogus":           spiderpoolv2beta1.NewPoolIPAllocation("ns", "x", "uid-x"),
		"fd00::1":         spiderpoolv2beta1.NewPoolIPAllocation("ns", "y", "uid-y"),
		"::ffff:10.0.0.1": spiderpoolv2beta1.NewPoolIPAllocation("ns", "z", "uid-z"),
	})
	op := &poolOp{kind: opAllocate, podKey: "ns/p", uid: "uid-p"}
	if !st.apply(op, 100) || op.res.err != nil || op.res.ip.String() != "10.0.0.2" {
		t.Fatalf("allocated %v, %v; want 10.0.0.2", op.res.ip, op.res.err)
	}
	rel := &poolOp{kind: opRelease, podKey: "ns/z", uid: "uid-z", ips: []netip.Addr{netip.MustParseAddr("10.0.0.1")}}
	if !st.apply(rel, 100) || rel.res.err != nil {
		t.Fatalf("release of the IPv4-mapped record: %v", rel.res.err)
	}
	var keys []string
	for k := range st.records {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if diff := cmp.Diff([]string{"10.0.0.2", "bogus", "fd00::1"}, keys); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

// TestBadSpecReleasesButDoesNotAllocate: a pool whose spec.ips does not
// parse keeps its records releasable.
func TestBadSpecReleasesButDoesNotAllocate(t *testing.T) {
	pool := v4Pool("10.0.0.0/24", "10.0.0.1-10.0.0.x")
	pool.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(spiderpoolv2beta1.PoolIPAllocations{
		"10.0.0.1": spiderpoolv2beta1.NewPoolIPAllocation("ns", "p", "uid-p"),
	})
	st, err := newPoolState(pool, reservedIPs{}, &usableCache{})
	if err != nil {
		t.Fatal(err)
	}
	op := &poolOp{kind: opAllocate, podKey: "ns/q", uid: "uid-q"}
	if st.apply(op, 100) || !errors.Is(op.res.err, ErrBadRecord) {
		t.Errorf("allocation: %v, %v; want ErrBadRecord", op.res.ip, op.res.err)
	}
	rel := &poolOp{kind: opRelease, podKey: "ns/p", uid: "uid-p", ips: []netip.Addr{netip.MustParseAddr("10.0.0.1")}}
	if !st.apply(rel, 100) || rel.res.err != nil || len(st.records) != 0 {
		t.Errorf("release: %v, records %v", rel.res.err, st.records)
	}
}
