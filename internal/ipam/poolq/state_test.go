// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolq

import (
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/store"
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
	if _, err := newPoolState(v4Pool("10.1.0.0/24", "10.1.0.10-10.1.0.20"), Reserved{}, cache); err != nil {
		t.Fatal(err)
	}
	st, err := newPoolState(v4Pool("10.2.0.0/24", "10.2.0.10-10.2.0.20"), Reserved{}, cache)
	if err != nil {
		t.Fatal(err)
	}
	op := &Op{Kind: Allocate, PodKey: "ns/x", UID: "uid-x"}
	if st.apply(op, 100); op.res.Err != nil || op.res.IP.String() != "10.2.0.10" {
		t.Errorf("allocated %v, %v; want 10.2.0.10", op.res.IP, op.res.Err)
	}
}

// TestAllocationOutsideSpecRefused: should a usable set of another object
// ever be used, the address it offers is refused and the state is marked so
// that the queue drops the cached set.
func TestAllocationOutsideSpecRefused(t *testing.T) {
	cache := &usableCache{}
	if _, err := newPoolState(v4Pool("10.1.0.0/24", "10.1.0.10-10.1.0.20"), Reserved{}, cache); err != nil {
		t.Fatal(err)
	}
	other := v4Pool("10.2.0.0/24", "10.2.0.10-10.2.0.20")
	cache.key.spec = specHash(&other.Spec) // a stale set under the new key
	st, err := newPoolState(other, Reserved{}, cache)
	if err != nil {
		t.Fatal(err)
	}
	op := &Op{Kind: Allocate, PodKey: "ns/x", UID: "uid-x"}
	if st.apply(op, 100) || !errors.Is(op.res.Err, store.ErrBadRecord) || !st.outOfSpec {
		t.Errorf("allocated %v, %v, outOfSpec %v; want store.ErrBadRecord and outOfSpec", op.res.IP, op.res.Err, st.outOfSpec)
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
	op := &Op{Kind: Allocate, PodKey: "ns/p", UID: "uid-p"}
	if !st.apply(op, 100) || op.res.Err != nil || op.res.IP.String() != "10.0.0.2" {
		t.Fatalf("allocated %v, %v; want 10.0.0.2", op.res.IP, op.res.Err)
	}
	rel := &Op{Kind: Release, PodKey: "ns/z", UID: "uid-z", IPs: []netip.Addr{netip.MustParseAddr("10.0.0.1")}}
	if !st.apply(rel, 100) || rel.res.Err != nil {
		t.Fatalf("release of the IPv4-mapped record: %v", rel.res.Err)
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
	st, err := newPoolState(pool, Reserved{}, &usableCache{})
	if err != nil {
		t.Fatal(err)
	}
	op := &Op{Kind: Allocate, PodKey: "ns/q", UID: "uid-q"}
	if st.apply(op, 100) || !errors.Is(op.res.Err, store.ErrBadRecord) {
		t.Errorf("allocation: %v, %v; want store.ErrBadRecord", op.res.IP, op.res.Err)
	}
	rel := &Op{Kind: Release, PodKey: "ns/p", UID: "uid-p", IPs: []netip.Addr{netip.MustParseAddr("10.0.0.1")}}
	if !st.apply(rel, 100) || rel.res.Err != nil || len(st.records) != 0 {
		t.Errorf("release: %v, records %v", rel.res.Err, st.records)
	}
}

func TestNoteReservedIgnoresReleases(t *testing.T) {
	q := &queue{}
	r := Reserved{v4: []string{"10.0.0.1"}, key: "10.0.0.1|"}
	q.noteReserved([]*Op{{Kind: Allocate, Reserved: r}, {Kind: Release}, {Kind: Adopt}})
	if q.reserved.key != r.key {
		t.Errorf("reserved key = %q, want %q: a release must not clear the reservations", q.reserved.key, r.key)
	}
}

func testState(t *testing.T, ips []string, records spiderpoolv2beta1.PoolIPAllocations) *poolState {
	t.Helper()
	pool := &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: "p"},
		Spec:       spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: "10.0.0.0/24", IPs: ips},
		Status:     spiderpoolv2beta1.IPPoolStatus{AllocatedIPs: spiderpoolv2beta1.FormatAllocatedIPs(records)},
	}
	st, err := newPoolState(pool, Reserved{}, &usableCache{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestPoolStateAllocate(t *testing.T) {
	a := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	held := spiderpoolv2beta1.PoolIPAllocations{
		"10.0.0.2": spiderpoolv2beta1.NewPoolIPAllocation("ns", "p", "uid-p"),
		"10.0.0.1": spiderpoolv2beta1.NewPoolIPAllocation("ns", "q", "uid-q"),
	}
	tests := []struct {
		name    string
		uid     string
		avoid   []string
		want    string
		changed bool
		wantErr error
	}{
		{name: "reuse the pod's record", uid: "uid-p", want: "10.0.0.2"},
		{name: "lowest free", uid: "uid-new", want: "10.0.0.3", changed: true},
		{name: "skip avoided", uid: "uid-new", avoid: []string{"10.0.0.3", "10.0.0.4"}, want: "10.0.0.5", changed: true},
		{name: "avoided own record is not reused", uid: "uid-p", avoid: []string{"10.0.0.2"}, want: "10.0.0.3", changed: true},
		{name: "all free avoided", uid: "uid-new", avoid: []string{"10.0.0.3", "10.0.0.4", "10.0.0.5"},
			wantErr: ErrPoolExhausted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := testState(t, []string{"10.0.0.1-10.0.0.5"}, held)
			avoid := map[netip.Addr]bool{}
			for _, s := range tt.avoid {
				avoid[a(s)] = true
			}
			op := &Op{Kind: Allocate, PodKey: "ns/x", UID: tt.uid, Avoid: avoid}
			changed := st.apply(op, 100)
			if tt.wantErr != nil {
				if !errors.Is(op.res.Err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", op.res.Err, tt.wantErr)
				}
				return
			}
			if op.res.Err != nil || op.res.IP != a(tt.want) || changed != tt.changed {
				t.Errorf("got %v, %v, changed %v; want %s, changed %v", op.res.IP, op.res.Err, changed, tt.want, tt.changed)
			}
		})
	}
}

func TestPoolStateAdopt(t *testing.T) {
	recs := spiderpoolv2beta1.PoolIPAllocations{"10.0.0.1": spiderpoolv2beta1.NewPoolIPAllocation("ns", "db-0", "uid-old")}
	st := testState(t, []string{"10.0.0.1-10.0.0.5"}, recs)
	ips := []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.4")} // .4 was freed meanwhile
	op := &Op{Kind: Adopt, PodKey: "ns/db-0", UID: "uid-new", IPs: ips}
	if !st.apply(op, 100) || op.res.Err != nil {
		t.Fatalf("adopt: changed=false or %v", op.res.Err)
	}
	want := spiderpoolv2beta1.PoolIPAllocations{
		"10.0.0.1": spiderpoolv2beta1.NewPoolIPAllocation("ns", "db-0", "uid-new"),
		"10.0.0.4": spiderpoolv2beta1.NewPoolIPAllocation("ns", "db-0", "uid-new"),
	}
	if diff := cmp.Diff(want, st.records); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	other := &Op{Kind: Adopt, PodKey: "ns/other", UID: "x", IPs: ips[:1]}
	if st.apply(other, 100) || !errors.Is(other.res.Err, store.ErrBadRecord) {
		t.Errorf("adopting another pod's address: err = %v, want store.ErrBadRecord", other.res.Err)
	}
}

func TestNewerVersion(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{{"10", "9", true}, {"9", "10", false}, {"7", "7", false}, {"", "7", false}, {"7", "", false}, {"x1", "0", false}} {
		if got := newerVersion(c.a, c.b); got != c.want {
			t.Errorf("newerVersion(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
