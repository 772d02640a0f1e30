// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

func TestGroupSlots(t *testing.T) {
	pools := func(names ...string) []*spiderpoolv2beta1.SpiderIPPool {
		var out []*spiderpoolv2beta1.SpiderIPPool
		for _, n := range names {
			out = append(out, &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: n}})
		}
		return out
	}
	slots := []slot{
		{nic: "eth0", pools: pools("a", "b")},
		{nic: "eth0", pools: pools("v6")},
		{nic: "net1", pools: pools("c")},
		{nic: "net2", pools: pools("c", "b")}, // joins slots 0 and 2
		{nic: "net3", pools: pools("v6b")},
	}
	want := [][]int{{0, 2, 3}, {1}, {4}}
	if diff := cmp.Diff(want, groupSlots(slots)); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

func TestNoteReservedIgnoresReleases(t *testing.T) {
	q := &poolQueue{}
	r := reservedIPs{v4: []string{"10.0.0.1"}, key: "10.0.0.1|"}
	q.noteReserved([]*poolOp{{kind: opAllocate, reserved: r}, {kind: opRelease}, {kind: opAdopt}})
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
	st, err := newPoolState(pool, reservedIPs{}, &usableCache{})
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
			op := &poolOp{kind: opAllocate, podKey: "ns/x", uid: tt.uid, avoid: avoid}
			changed := st.apply(op, 100)
			if tt.wantErr != nil {
				if !errors.Is(op.res.err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", op.res.err, tt.wantErr)
				}
				return
			}
			if op.res.err != nil || op.res.ip != a(tt.want) || changed != tt.changed {
				t.Errorf("got %v, %v, changed %v; want %s, changed %v", op.res.ip, op.res.err, changed, tt.want, tt.changed)
			}
		})
	}
}

func TestPoolStateAdopt(t *testing.T) {
	recs := spiderpoolv2beta1.PoolIPAllocations{"10.0.0.1": spiderpoolv2beta1.NewPoolIPAllocation("ns", "db-0", "uid-old")}
	st := testState(t, []string{"10.0.0.1-10.0.0.5"}, recs)
	ips := []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.4")} // .4 was freed meanwhile
	op := &poolOp{kind: opAdopt, podKey: "ns/db-0", uid: "uid-new", ips: ips}
	if !st.apply(op, 100) || op.res.err != nil {
		t.Fatalf("adopt: changed=false or %v", op.res.err)
	}
	want := spiderpoolv2beta1.PoolIPAllocations{
		"10.0.0.1": spiderpoolv2beta1.NewPoolIPAllocation("ns", "db-0", "uid-new"),
		"10.0.0.4": spiderpoolv2beta1.NewPoolIPAllocation("ns", "db-0", "uid-new"),
	}
	if diff := cmp.Diff(want, st.records); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	other := &poolOp{kind: opAdopt, podKey: "ns/other", uid: "x", ips: ips[:1]}
	if st.apply(other, 100) || !errors.Is(other.res.err, ErrBadRecord) {
		t.Errorf("adopting another pod's address: err = %v, want ErrBadRecord", other.res.err)
	}
}

func TestQuarantineExpires(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(time.Now())
	q := newQuarantine(clk, time.Minute)
	ip := netip.MustParseAddr("10.0.0.1")
	q.add("uid", []netip.Addr{ip})
	if got := q.of("uid"); len(got) != 1 {
		t.Fatalf("quarantine = %v", got)
	}
	clk.SetTime(clk.Now().Add(2 * time.Minute))
	if got := q.of("uid"); len(got) != 0 {
		t.Errorf("quarantine after expiry = %v", got)
	}
}

func TestPodLocksSerialise(t *testing.T) {
	l := newPodLocks()
	unlock, err := l.lock(t.Context(), "ns/p")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.lock(ctx, "ns/p"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second lock: err = %v, want DeadlineExceeded", err)
	}
	other, err := l.lock(t.Context(), "ns/q")
	if err != nil {
		t.Fatal(err)
	}
	other()
	unlock()
	again, err := l.lock(t.Context(), "ns/p")
	if err != nil {
		t.Fatal(err)
	}
	again()
	if len(l.locks) != 0 {
		t.Errorf("%d lock entries left", len(l.locks))
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
