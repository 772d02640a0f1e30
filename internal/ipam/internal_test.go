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
