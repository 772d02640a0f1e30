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

func mustSet(t testing.TB, v allocator.IPVersion, ranges ...string) *allocator.Set {
	t.Helper()
	s, err := allocator.ParseSet(v, ranges)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSetAddRemove(t *testing.T) {
	tests := []struct {
		name   string
		v      allocator.IPVersion
		start  []string
		add    []string
		remove []string
		want   []string
	}{
		{name: "join both sides", v: allocator.IPv4, start: []string{"10.0.0.1-10.0.0.3", "10.0.0.7-10.0.0.9"}, add: []string{"10.0.0.4-10.0.0.6"}, want: []string{"10.0.0.1-10.0.0.9"}},
		{name: "swallow several", v: allocator.IPv4, start: []string{"10.0.0.2", "10.0.0.4", "10.0.0.6"}, add: []string{"10.0.0.1-10.0.0.10"}, want: []string{"10.0.0.1-10.0.0.10"}},
		{name: "split", v: allocator.IPv4, start: []string{"10.0.0.1-10.0.0.9"}, remove: []string{"10.0.0.5"}, want: []string{"10.0.0.1-10.0.0.4", "10.0.0.6-10.0.0.9"}},
		{name: "trim both ends across spans", v: allocator.IPv4, start: []string{"10.0.0.1-10.0.0.3", "10.0.0.5-10.0.0.9"}, remove: []string{"10.0.0.2-10.0.0.6"}, want: []string{"10.0.0.1", "10.0.0.7-10.0.0.9"}},
		{name: "remove absent", v: allocator.IPv4, start: []string{"10.0.0.1"}, remove: []string{"10.0.0.2-10.0.0.200"}, want: []string{"10.0.0.1"}},
		{name: "v4 top and bottom", v: allocator.IPv4, add: []string{"255.255.255.255", "0.0.0.0", "0.0.0.1", "255.255.255.254"}, want: []string{"0.0.0.0-0.0.0.1", "255.255.255.254-255.255.255.255"}},
		{name: "v4 everything minus top", v: allocator.IPv4, add: []string{"0.0.0.0-255.255.255.255"}, remove: []string{"255.255.255.255"}, want: []string{"0.0.0.0-255.255.255.254"}},
		{name: "v6 top", v: allocator.IPv6, add: []string{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::"}, remove: []string{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"}, want: []string{"::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustSet(t, tc.v, tc.start...)
			for _, r := range mustRanges(t, tc.v, tc.add) {
				if err := s.Add(r); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range mustRanges(t, tc.v, tc.remove) {
				if err := s.Remove(r); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tc.want, s.Strings()); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func mustRanges(t testing.TB, v allocator.IPVersion, ss []string) []allocator.Range {
	t.Helper()
	rs, err := allocator.ParseRanges(v, ss)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestSetFamilies(t *testing.T) {
	s := mustSet(t, allocator.IPv4, "10.0.0.0-10.0.0.255")
	v6 := rng("fd00::1", "fd00::2")
	if err := s.Add(v6); !errors.Is(err, allocator.ErrFamilyMismatch) {
		t.Errorf("Add v6 to v4 set: %v", err)
	}
	if err := s.Remove(v6); err != nil {
		t.Errorf("Remove v6 from v4 set: %v", err)
	}
	if err := s.Add(rng("10.0.0.9", "10.0.0.1")); !errors.Is(err, allocator.ErrInvalidRange) {
		t.Errorf("Add reversed range: %v", err)
	}
	if err := s.Add(allocator.Range{}); !errors.Is(err, allocator.ErrInvalidRange) {
		t.Errorf("Add zero range: %v", err)
	}
	if err := allocator.NewSet(0).Add(rng("10.0.0.1", "10.0.0.1")); !errors.Is(err, allocator.ErrInvalidVersion) {
		t.Errorf("Add to version-0 set: %v", err)
	}
	if s.Contains(netip.MustParseAddr("::ffff:10.0.0.1")) || s.Contains(netip.Addr{}) {
		t.Error("v4 set contains a mapped or zero address")
	}
	other := mustSet(t, allocator.IPv6, "fd00::-fd00::ff")
	if _, err := s.Union(other); !errors.Is(err, allocator.ErrFamilyMismatch) {
		t.Errorf("Union across families: %v", err)
	}
	if !s.Subtract(other).Equal(s) || s.Overlaps(other) {
		t.Error("a set of the other family changed Subtract or Overlaps")
	}
}

func TestSetUnionSubtractOverlaps(t *testing.T) {
	tests := []struct {
		name      string
		a, b      []string
		union     []string
		minus     []string
		overlaps  bool
		aContainB bool
	}{
		{name: "disjoint", a: []string{"10.0.0.1-10.0.0.5"}, b: []string{"10.0.0.7-10.0.0.9"},
			union: []string{"10.0.0.1-10.0.0.5", "10.0.0.7-10.0.0.9"}, minus: []string{"10.0.0.1-10.0.0.5"}},
		{name: "adjacent", a: []string{"10.0.0.1-10.0.0.5"}, b: []string{"10.0.0.6-10.0.0.9"},
			union: []string{"10.0.0.1-10.0.0.9"}, minus: []string{"10.0.0.1-10.0.0.5"}},
		{name: "holes", a: []string{"10.0.0.0-10.0.0.255"}, b: []string{"10.0.0.0", "10.0.0.10-10.0.0.19", "10.0.0.255"},
			union: []string{"10.0.0.0-10.0.0.255"}, minus: []string{"10.0.0.1-10.0.0.9", "10.0.0.20-10.0.0.254"}, overlaps: true},
		{name: "b spans several a", a: []string{"10.0.0.1-10.0.0.3", "10.0.0.5-10.0.0.7", "10.0.0.20"}, b: []string{"10.0.0.2-10.0.0.6"},
			union: []string{"10.0.0.1-10.0.0.7", "10.0.0.20"}, minus: []string{"10.0.0.1", "10.0.0.7", "10.0.0.20"}, overlaps: true},
		{name: "empty b", a: []string{"10.0.0.1"}, union: []string{"10.0.0.1"}, minus: []string{"10.0.0.1"}},
		{name: "empty a", b: []string{"10.0.0.1"}, union: []string{"10.0.0.1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := mustSet(t, allocator.IPv4, tc.a...), mustSet(t, allocator.IPv4, tc.b...)
			u, err := a.Union(b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.union, u.Strings()); diff != "" {
				t.Errorf("union (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.minus, a.Subtract(b).Strings()); diff != "" {
				t.Errorf("subtract (-want +got):\n%s", diff)
			}
			if a.Overlaps(b) != tc.overlaps || b.Overlaps(a) != tc.overlaps {
				t.Errorf("overlaps = %v, want %v", a.Overlaps(b), tc.overlaps)
			}
		})
	}
}

func TestSetQueries(t *testing.T) {
	s := mustSet(t, allocator.IPv4, "10.0.0.1-10.0.0.3", "10.0.0.10", "10.0.1.0-10.0.1.255")
	next := map[string]string{"0.0.0.0": "10.0.0.1", "10.0.0.2": "10.0.0.2", "10.0.0.4": "10.0.0.10", "10.0.0.11": "10.0.1.0", "10.0.1.255": "10.0.1.255", "10.0.2.0": ""}
	for in, want := range next {
		got, ok := s.NextMember(netip.MustParseAddr(in))
		if (want == "") == ok || (ok && got.String() != want) {
			t.Errorf("NextMember(%s) = %v, %v; want %q", in, got, ok, want)
		}
	}
	if !s.ContainsRange(rng("10.0.1.7", "10.0.1.200")) || s.ContainsRange(rng("10.0.0.3", "10.0.0.4")) || s.ContainsRange(rng("10.0.0.9", "10.0.0.10")) {
		t.Error("ContainsRange")
	}
	if n, exact := s.Count(); n != 260 || !exact || s.NumRanges() != 3 {
		t.Errorf("Count = %d, %v, ranges %d", n, exact, s.NumRanges())
	}
	if first, _ := s.First(); first.String() != "10.0.0.1" {
		t.Errorf("First = %s", first)
	}
	if got := s.String(); got != "10.0.0.1-10.0.0.3,10.0.0.10,10.0.1.0-10.0.1.255" {
		t.Errorf("String = %s", got)
	}
}

func TestSetNextNonMember(t *testing.T) {
	s := mustSet(t, allocator.IPv4, "10.0.0.1-10.0.0.3", "10.0.0.10", "255.255.255.0-255.255.255.255")
	next := map[string]string{"0.0.0.0": "0.0.0.0", "10.0.0.1": "10.0.0.4", "10.0.0.3": "10.0.0.4", "10.0.0.4": "10.0.0.4",
		"10.0.0.10": "10.0.0.11", "10.0.1.0": "10.0.1.0", "255.255.255.7": "", "fd00::1": ""}
	for in, want := range next {
		got, ok := s.NextNonMember(netip.MustParseAddr(in))
		if (want == "") == ok || (ok && got.String() != want) {
			t.Errorf("NextNonMember(%s) = %v, %v; want %q", in, got, ok, want)
		}
	}
	v6 := mustSet(t, allocator.IPv6, "fd00::1-fd00::ff")
	if got, ok := v6.NextNonMember(netip.MustParseAddr("fd00::7")); !ok || got != netip.MustParseAddr("fd00::100") {
		t.Errorf("NextNonMember(fd00::7) = %v, %v; want fd00::100", got, ok)
	}
}

func TestSetCountSaturates(t *testing.T) {
	tests := []struct {
		name   string
		ranges []string
		want   uint64
		exact  bool
		want64 int64
	}{
		{name: "/64 minus one", ranges: []string{"fd00::1-fd00::ffff:ffff:ffff:ffff"}, want: math.MaxUint64, exact: true, want64: math.MaxInt64},
		{name: "/64", ranges: []string{"fd00::-fd00::ffff:ffff:ffff:ffff"}, want: math.MaxUint64, exact: false, want64: math.MaxInt64},
		{name: "/64 plus one", ranges: []string{"fd00::-fd00:0:0:1::"}, want: math.MaxUint64, exact: false, want64: math.MaxInt64},
		{name: "/48", ranges: []string{"fd00::-fd00:0:0:ffff:ffff:ffff:ffff:ffff"}, want: math.MaxUint64, exact: false, want64: math.MaxInt64},
		{name: "everything", ranges: []string{"::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}, want: math.MaxUint64, exact: false, want64: math.MaxInt64},
		{name: "two halves of everything", ranges: []string{"::-7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "8000::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"}, want: math.MaxUint64, exact: false, want64: math.MaxInt64},
		{name: "2^63", ranges: []string{"fd00::-fd00::7fff:ffff:ffff:ffff"}, want: 1 << 63, exact: true, want64: math.MaxInt64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustSet(t, allocator.IPv6, tc.ranges...)
			n, exact := s.Count()
			if n != tc.want || exact != tc.exact || s.CountInt64() != tc.want64 {
				t.Errorf("Count = %d, %v; CountInt64 = %d", n, exact, s.CountInt64())
			}
		})
	}
}
