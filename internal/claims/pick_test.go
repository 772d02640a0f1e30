// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/claims"
)

// usable returns the usable set of a pool spec, failing the test on error.
func usable(t *testing.T, spec allocator.PoolSpec) *allocator.Set {
	t.Helper()
	s, err := spec.Usable()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, 0, len(ss))
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func TestStartIsStableAndInside(t *testing.T) {
	tests := []struct {
		name string
		spec allocator.PoolSpec
	}{
		{"v4 two ranges", allocator.PoolSpec{Version: allocator.IPv4, IPs: []string{"10.0.0.1-10.0.0.10", "10.0.1.0-10.0.1.255"}, ExcludeIPs: []string{"10.0.0.5"}}},
		{"v4 one address", allocator.PoolSpec{Version: allocator.IPv4, IPs: []string{"10.0.0.7"}}},
		{"v6 /64", allocator.PoolSpec{Version: allocator.IPv6, IPs: []string{"fd00::-fd00::ffff:ffff:ffff:ffff"}}},
		{"v6 /48, more than 2^64 addresses", allocator.PoolSpec{Version: allocator.IPv6, IPs: []string{"fd00::-fd00:0:0:ffff:ffff:ffff:ffff:ffff"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := usable(t, tt.spec)
			seen := map[netip.Addr]bool{}
			for _, node := range []string{"node-1", "node-2", "node-3", "worker-a", ""} {
				a := claims.Start(set, node)
				if !set.Contains(a) {
					t.Errorf("Start(%q) = %v, not in the pool", node, a)
				}
				if again := claims.Start(set, node); again != a {
					t.Errorf("Start(%q) = %v then %v", node, a, again)
				}
				seen[a] = true
			}
			if set.NumRanges() > 0 && len(seen) < 2 && tt.name != "v4 one address" {
				t.Errorf("every node starts at one address: %v", seen)
			}
		})
	}
	if a := claims.Start(allocator.NewSet(allocator.IPv4), "n"); a.IsValid() {
		t.Errorf("Start of an empty set = %v", a)
	}
}

// in returns a taken function reporting the given addresses.
func in(as ...netip.Addr) func(netip.Addr) bool {
	m := map[netip.Addr]bool{}
	for _, a := range as {
		m[a] = true
	}
	return func(a netip.Addr) bool { return m[a] }
}

func TestPickerSkipsTakenAndWraps(t *testing.T) {
	set := usable(t, allocator.PoolSpec{Version: allocator.IPv4, IPs: []string{"10.0.0.1-10.0.0.4"}, ReservedIPs: []string{"10.0.0.2"}})
	start := claims.Start(set, "node-1")
	p := claims.NewPicker(set, "node-1", claims.Taken{Is: in(append(addrs("10.0.0.9", "fd00::1"), start)...)})
	got := map[netip.Addr]bool{start: true}
	for range 2 {
		a, err := p.Next()
		if err != nil {
			t.Fatal(err)
		}
		if got[a] || !set.Contains(a) {
			t.Fatalf("Next() = %v: taken or not usable (have %v)", a, got)
		}
		got[a] = true
	}
	if _, err := p.Next(); !errors.Is(err, allocator.ErrExhausted) {
		t.Errorf("Next() on a full pool: %v, want ErrExhausted", err)
	}
}

func TestPickerOrderFromStart(t *testing.T) {
	set := usable(t, allocator.PoolSpec{Version: allocator.IPv4, IPs: []string{"10.0.0.1-10.0.0.8"}})
	start := claims.Start(set, "n")
	a, err := claims.NewPicker(set, "n", claims.Taken{Is: in(start)}).Next()
	if err != nil {
		t.Fatal(err)
	}
	want := start.Next()
	if start == netip.MustParseAddr("10.0.0.8") {
		want = netip.MustParseAddr("10.0.0.1")
	}
	if a != want {
		t.Errorf("after taking the start %v, Next() = %v, want %v", start, a, want)
	}
}

// TestPickerOffersEveryAddressOnce walks whole pools of several ranges from
// every node's start: each usable address comes once, then ErrExhausted.
func TestPickerOffersEveryAddressOnce(t *testing.T) {
	specs := []allocator.PoolSpec{
		{Version: allocator.IPv4, IPs: []string{"10.0.0.1-10.0.0.10", "10.0.0.20-10.0.0.22", "10.0.0.30"}, ExcludeIPs: []string{"10.0.0.5"}},
		{Version: allocator.IPv4, IPs: []string{"10.0.0.7"}},
		{Version: allocator.IPv6, IPs: []string{"fd00::1-fd00::9", "fd00::f0-fd00::ff"}},
	}
	for _, spec := range specs {
		set := usable(t, spec)
		n, _ := set.Count()
		for _, node := range []string{"a", "b", "node-1", "node-2", "node-3", "worker"} {
			p := claims.NewPicker(set, node, claims.Taken{})
			seen := map[netip.Addr]bool{}
			for {
				a, err := p.Next()
				if errors.Is(err, allocator.ErrExhausted) {
					break
				}
				if seen[a] || !set.Contains(a) {
					t.Fatalf("%v from %q: Next() = %v twice or not usable", spec.IPs, node, a)
				}
				seen[a] = true
			}
			if uint64(len(seen)) != n {
				t.Errorf("%v from %q: offered %d of %d addresses", spec.IPs, node, len(seen), n)
			}
		}
	}
	if _, err := claims.NewPicker(allocator.NewSet(allocator.IPv4), "n", claims.Taken{}).Next(); !errors.Is(err, allocator.ErrExhausted) {
		t.Errorf("Next() on an empty set: %v, want ErrExhausted", err)
	}
}

// TestPickerJumpsOverRuns: with every address but one in Skip's runs, the
// picker offers that one after a lookup or two per run, then none.
func TestPickerJumpsOverRuns(t *testing.T) {
	set := usable(t, allocator.PoolSpec{Version: allocator.IPv4, IPs: []string{"10.0.0.1-10.0.3.254", "10.0.5.1-10.0.5.9"}})
	for _, free := range addrs("10.0.0.1", "10.0.2.77", "10.0.3.254", "10.0.5.5") {
		runs := set.Clone()
		if err := runs.Remove(allocator.Range{First: free, Last: free}); err != nil {
			t.Fatal(err)
		}
		skips := 0
		p := claims.NewPicker(set, "node-7", claims.Taken{Skip: func(a netip.Addr) (netip.Addr, bool) {
			skips++
			return runs.NextNonMember(a)
		}})
		if a, err := p.Next(); err != nil || a != free {
			t.Errorf("Next() = %v, %v; want %v", a, err, free)
		}
		if a, err := p.Next(); !errors.Is(err, allocator.ErrExhausted) {
			t.Errorf("second Next() = %v, %v; want ErrExhausted", a, err)
		}
		if skips > 8 {
			t.Errorf("%d lookups for %d runs: the picker walked the runs", skips, runs.NumRanges())
		}
	}
}
