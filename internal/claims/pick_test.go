// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims_test

import (
	"errors"
	"math/rand/v2"
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
	start := netip.MustParseAddr("10.0.0.3")
	p := claims.NewPicker(set, seeded(1), claims.Taken{Is: in(append(addrs("10.0.0.9", "fd00::1"), start)...)})
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

// TestPickerOffersEveryAddressOnce walks whole pools of several ranges,
// with draws of several seeds and without: each usable address comes once,
// then ErrExhausted.
func TestPickerOffersEveryAddressOnce(t *testing.T) {
	specs := []allocator.PoolSpec{
		{Version: allocator.IPv4, IPs: []string{"10.0.0.1-10.0.0.10", "10.0.0.20-10.0.0.22", "10.0.0.30"}, ExcludeIPs: []string{"10.0.0.5"}},
		{Version: allocator.IPv4, IPs: []string{"10.0.0.7"}},
		{Version: allocator.IPv6, IPs: []string{"fd00::1-fd00::9", "fd00::f0-fd00::ff"}},
	}
	for _, spec := range specs {
		set := usable(t, spec)
		n, _ := set.Count()
		for seed := range 6 {
			draw := seeded(uint64(seed))
			if seed == 0 {
				draw = nil
			}
			p := claims.NewPicker(set, draw, claims.Taken{})
			seen := map[netip.Addr]bool{}
			for {
				a, err := p.Next()
				if errors.Is(err, allocator.ErrExhausted) {
					break
				}
				if seen[a] || !set.Contains(a) {
					t.Fatalf("%v, seed %d: Next() = %v twice or not usable", spec.IPs, seed, a)
				}
				seen[a] = true
			}
			if uint64(len(seen)) != n {
				t.Errorf("%v, seed %d: offered %d of %d addresses", spec.IPs, seed, len(seen), n)
			}
		}
	}
	if _, err := claims.NewPicker(allocator.NewSet(allocator.IPv4), seeded(1), claims.Taken{}).Next(); !errors.Is(err, allocator.ErrExhausted) {
		t.Errorf("Next() on an empty set: %v, want ErrExhausted", err)
	}
}

// TestPickerJumpsOverRuns: with every address but one in Skip's runs, the
// picker offers that one after its draws and a lookup or two per run, then
// none.
func TestPickerJumpsOverRuns(t *testing.T) {
	set := usable(t, allocator.PoolSpec{Version: allocator.IPv4, IPs: []string{"10.0.0.1-10.0.3.254", "10.0.5.1-10.0.5.9"}})
	for _, free := range addrs("10.0.0.1", "10.0.2.77", "10.0.3.254", "10.0.5.5") {
		runs := set.Clone()
		if err := runs.Remove(allocator.Range{First: free, Last: free}); err != nil {
			t.Fatal(err)
		}
		skips := 0
		p := claims.NewPicker(set, seeded(7), claims.Taken{Skip: func(a netip.Addr) (netip.Addr, bool) {
			skips++
			return runs.NextNonMember(a)
		}})
		if a, err := p.Next(); err != nil || a != free {
			t.Errorf("Next() = %v, %v; want %v", a, err, free)
		}
		if a, err := p.Next(); !errors.Is(err, allocator.ErrExhausted) {
			t.Errorf("second Next() = %v, %v; want ErrExhausted", a, err)
		}
		if skips > 16 {
			t.Errorf("%d lookups for %d runs: the picker walked the runs", skips, runs.NumRanges())
		}
	}
}

// seeded returns a deterministic draw function.
func seeded(seed uint64) func(uint64) uint64 {
	r := rand.New(rand.NewPCG(seed, seed))
	return r.Uint64N
}

// TestPickerDrawsSpreadAgents: ten agents pick at once, each from the
// same view (none sees the others' picks in flight), round after round
// until three quarters of a pool of 1,000 are taken. Two agents picking the
// same address in a round is a lost create; with draws that stays rare
// (with a scan up from a fixed node offset, two agents whose offsets are
// close chase one frontier and collide on nearly every pick).
func TestPickerDrawsSpreadAgents(t *testing.T) {
	set := usable(t, allocator.PoolSpec{Version: allocator.IPv4, IPs: []string{"10.0.0.1-10.0.3.232"}})
	taken := map[netip.Addr]bool{}
	picks, collisions := 0, 0
	for round := range 75 {
		inRound := map[netip.Addr]bool{}
		for agent := range 10 {
			p := claims.NewPicker(set, seeded(uint64(round*10+agent)), claims.Taken{Is: func(a netip.Addr) bool { return taken[a] }})
			a, err := p.Next()
			if err != nil {
				t.Fatal(err)
			}
			picks++
			if inRound[a] {
				collisions++
			}
			inRound[a] = true
		}
		for a := range inRound {
			taken[a] = true
		}
	}
	if rate := float64(collisions) / float64(picks); rate > 0.05 {
		t.Errorf("%d of %d picks collided (%.3f per pick), want at most 0.05", collisions, picks, rate)
	}
	t.Logf("%d of %d picks collided", collisions, picks)
}
