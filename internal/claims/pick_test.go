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

func TestPickerSkipsTakenAndWraps(t *testing.T) {
	set := usable(t, allocator.PoolSpec{Version: allocator.IPv4, IPs: []string{"10.0.0.1-10.0.0.4"}, ReservedIPs: []string{"10.0.0.2"}})
	start := claims.Start(set, "node-1")
	taken := addrs("10.0.0.9", "fd00::1") // outside the pool, other family: ignored for the order
	p, err := claims.NewPicker(set, append(taken, start), "node-1")
	if err != nil {
		t.Fatal(err)
	}
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
	p, err := claims.NewPicker(set, nil, "n")
	if err != nil {
		t.Fatal(err)
	}
	p.Take(start)
	p.Take(netip.MustParseAddr("10.1.0.1")) // not usable: no effect
	a, err := p.Next()
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
