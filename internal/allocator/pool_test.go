// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator_test

import (
	"errors"
	"math"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = addr(s)
	}
	return out
}

func newPool(t testing.TB, spec allocator.PoolSpec, restored ...string) *allocator.Pool {
	t.Helper()
	p, err := allocator.NewPool(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Restore(addrs(restored...)); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPoolNotReady(t *testing.T) {
	p, err := allocator.NewPool(allocator.PoolSpec{Version: allocator.IPv4, IPs: []string{"10.6.0.1-10.6.0.9"}})
	if err != nil {
		t.Fatal(err)
	}
	a := addr("10.6.0.1")
	_, errFirst := p.FirstFree()
	_, errNext := p.NextFree(a)
	_, errAllocNext := p.AllocateNext(a)
	_, errIs := p.IsAllocated(a)
	_, errFree := p.Free()
	_, errAllocated := p.Allocated()
	for i, err := range []error{errFirst, errNext, errAllocNext, p.Allocate(a), p.Release(a), errIs, errFree, errAllocated} {
		if !errors.Is(err, allocator.ErrNotReady) {
			t.Errorf("call %d before Restore: %v, want ErrNotReady", i, err)
		}
	}
	if p.Ready() || p.Total() != 9 {
		t.Errorf("Ready = %v, Total = %d", p.Ready(), p.Total())
	}
}

func TestPoolUsable(t *testing.T) {
	spec := allocator.PoolSpec{
		Version:     allocator.IPv4,
		IPs:         []string{"10.6.0.0-10.6.0.255"},
		ExcludeIPs:  []string{"10.6.0.1", "10.6.0.100-10.6.0.199"},
		ReservedIPs: []string{"10.6.0.2", "172.16.0.1"},
	}
	got, err := spec.Usable()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.6.0.0", "10.6.0.3-10.6.0.99", "10.6.0.200-10.6.0.255"}
	if diff := cmp.Diff(want, got.Strings()); diff != "" {
		t.Errorf("usable (-want +got):\n%s", diff)
	}
	bad := allocator.PoolSpec{Version: allocator.IPv4, IPs: []string{"x"}, ReservedIPs: []string{"fd00::1"}}
	if _, err := bad.Usable(); !errors.Is(err, allocator.ErrInvalidRange) {
		t.Errorf("bad spec: %v", err)
	}
	if _, err := allocator.NewPool(allocator.PoolSpec{}); !errors.Is(err, allocator.ErrInvalidVersion) {
		t.Errorf("no version: %v", err)
	}
}

func TestPoolLowestFreeFirst(t *testing.T) {
	p := newPool(t, allocator.PoolSpec{
		Version:     allocator.IPv4,
		IPs:         []string{"10.6.0.0-10.6.0.7"},
		ExcludeIPs:  []string{"10.6.0.1"},
		ReservedIPs: []string{"10.6.0.3"},
	}, "10.6.0.2")
	var got []string
	for {
		a, err := p.AllocateNext(netip.Addr{})
		if errors.Is(err, allocator.ErrExhausted) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, a.String())
	}
	// The network address is not skipped: Spiderpool does not skip it.
	want := []string{"10.6.0.0", "10.6.0.4", "10.6.0.5", "10.6.0.6", "10.6.0.7"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("allocation order (-want +got):\n%s", diff)
	}
	if err := p.Release(addr("10.6.0.5")); err != nil {
		t.Fatal(err)
	}
	if a, err := p.FirstFree(); err != nil || a != addr("10.6.0.5") {
		t.Errorf("after release FirstFree = %v, %v", a, err)
	}
}

func TestPoolNextFreeWraps(t *testing.T) {
	p := newPool(t, allocator.PoolSpec{Version: allocator.IPv6, IPs: []string{"fd00::10-fd00::1f"}}, "fd00::10", "fd00::1e", "fd00::1f")
	tests := map[string]string{
		"fd00::10": "fd00::11", "fd00::15": "fd00::15", "fd00::1e": "fd00::11",
		"fd00::": "fd00::11", "ffff::": "fd00::11",
	}
	for hint, want := range tests {
		if got, err := p.NextFree(addr(hint)); err != nil || got != addr(want) {
			t.Errorf("NextFree(%s) = %v, %v; want %s", hint, got, err, want)
		}
	}
	if _, err := p.NextFree(addr("10.0.0.1")); !errors.Is(err, allocator.ErrNotInPool) {
		t.Errorf("v4 hint: %v", err)
	}
}

func TestPoolAllocateErrors(t *testing.T) {
	p := newPool(t, allocator.PoolSpec{Version: allocator.IPv4, IPs: []string{"10.6.0.1-10.6.0.9"}, ExcludeIPs: []string{"10.6.0.5"}},
		"10.6.0.1", "10.6.0.200")
	tests := []struct {
		in   string
		want error
	}{
		{in: "10.6.0.2"},
		{in: "10.6.0.2", want: allocator.ErrAlreadyAllocated},
		{in: "10.6.0.1", want: allocator.ErrAlreadyAllocated},
		{in: "10.6.0.200", want: allocator.ErrAlreadyAllocated},
		{in: "10.6.0.5", want: allocator.ErrNotInPool},
		{in: "10.6.0.10", want: allocator.ErrNotInPool},
		{in: "fd00::1", want: allocator.ErrNotInPool},
		{in: "::ffff:10.6.0.3", want: allocator.ErrNotInPool},
	}
	for _, tc := range tests {
		if err := p.Allocate(addr(tc.in)); !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
			t.Errorf("Allocate(%s) = %v, want %v", tc.in, err, tc.want)
		}
	}
	if err := p.Allocate(netip.Addr{}); !errors.Is(err, allocator.ErrNotInPool) {
		t.Errorf("Allocate(zero) = %v", err)
	}
}

func TestPoolRestoreOutsideUsable(t *testing.T) {
	p := newPool(t, allocator.PoolSpec{Version: allocator.IPv4, IPs: []string{"10.6.0.1-10.6.0.4"}},
		"10.6.0.2", "10.6.0.2", "10.6.0.9")
	assertCounts(t, p, 3, 2)
	// Growing the pool over a restored address must not hand it out.
	grown := mustSet(t, allocator.IPv4, "10.6.0.1-10.6.0.10")
	if err := p.SetUsable(grown); err != nil {
		t.Fatal(err)
	}
	assertCounts(t, p, 8, 2)
	for range 8 {
		a, err := p.AllocateNext(netip.Addr{})
		if err != nil {
			t.Fatal(err)
		}
		if a == addr("10.6.0.2") || a == addr("10.6.0.9") {
			t.Fatalf("handed out restored address %s", a)
		}
	}
	if _, err := p.AllocateNext(netip.Addr{}); !errors.Is(err, allocator.ErrExhausted) {
		t.Fatalf("want ErrExhausted, got %v", err)
	}
	// Shrinking it back: 10.6.0.9 stays allocated, releasing it frees nothing.
	if err := p.SetUsable(mustSet(t, allocator.IPv4, "10.6.0.1-10.6.0.4")); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"10.6.0.9", "10.6.0.9", "10.6.0.77", "fd00::1"} {
		if err := p.Release(addr(s)); err != nil {
			t.Errorf("Release(%s): %v", s, err)
		}
	}
	assertCounts(t, p, 0, 9)
	if err := p.SetUsable(mustSet(t, allocator.IPv6)); !errors.Is(err, allocator.ErrFamilyMismatch) {
		t.Errorf("SetUsable v6: %v", err)
	}
}

func assertCounts(t *testing.T, p *allocator.Pool, wantFree, wantAllocated int64) {
	t.Helper()
	free, err1 := p.Free()
	allocated, err2 := p.Allocated()
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if free != wantFree || allocated != wantAllocated {
		t.Errorf("free, allocated = %d, %d; want %d, %d", free, allocated, wantFree, wantAllocated)
	}
}

func TestPoolRestoreRejectsOtherFamily(t *testing.T) {
	p, err := allocator.NewPool(allocator.PoolSpec{Version: allocator.IPv4, IPs: []string{"10.6.0.1-10.6.0.4"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Restore(addrs("10.6.0.1", "fd00::1")); !errors.Is(err, allocator.ErrFamilyMismatch) || p.Ready() {
		t.Fatalf("Restore = %v, ready %v", err, p.Ready())
	}
	if err := p.Restore(addrs("10.6.0.1")); err != nil || !p.Ready() {
		t.Fatalf("Restore = %v", err)
	}
	// A second Restore replaces the allocations.
	if err := p.Restore(addrs("10.6.0.3")); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.IsAllocated(addr("10.6.0.1")); got {
		t.Error("10.6.0.1 still allocated after resync")
	}
	if got, _ := p.IsAllocated(addr("10.6.0.3")); !got {
		t.Error("10.6.0.3 not allocated after resync")
	}
}

func TestPoolHugeIPv6(t *testing.T) {
	p := newPool(t, allocator.PoolSpec{Version: allocator.IPv6, IPs: []string{"fd00:1:2::-fd00:1:2:ffff:ffff:ffff:ffff:ffff"}},
		"fd00:1:2::", "fd00:1:2::1", "fd00:1:2:ffff:ffff:ffff:ffff:ffff")
	if p.Total() != math.MaxInt64 {
		t.Errorf("Total = %d", p.Total())
	}
	assertCounts(t, p, math.MaxInt64, 3)
	if a, err := p.NextFree(addr("fd00:1:2:ffff:ffff:ffff:ffff:ffff")); err != nil || a != addr("fd00:1:2::2") {
		t.Errorf("NextFree wraps to %v, %v", a, err)
	}
}
