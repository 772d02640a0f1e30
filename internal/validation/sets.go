// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"net/netip"
	"slices"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// setOf returns the union of ranges as a set of family v, in O(n log n):
// the ranges are added in ascending order, so each one lands at the end.
// Ranges that are not valid ranges of v are left out; callers pass ranges
// that allocator.ParseRange returned for v, or skip the others on purpose.
func setOf(v allocator.IPVersion, ranges ...allocator.Range) *allocator.Set {
	sorted := slices.SortedFunc(slices.Values(ranges), func(a, b allocator.Range) int {
		return a.First.Compare(b.First)
	})
	s := allocator.NewSet(v)
	for _, r := range sorted {
		if err := s.Add(r); err != nil {
			continue // not a range of v: not part of this set, see above
		}
	}
	return s
}

// lenientSet parses the IP ranges of another object, which this object's
// review must not fail on: entries that do not parse as ranges of v are
// skipped (that object's own review reports them).
func lenientSet(v allocator.IPVersion, list []string) *allocator.Set {
	ranges := make([]allocator.Range, 0, len(list))
	for _, s := range list {
		if r, err := allocator.ParseRange(v, s); err == nil {
			ranges = append(ranges, r)
		}
	}
	return setOf(v, ranges...)
}

// lenientUsable is lenientSet(ips) minus lenientSet(excludeIPs).
func lenientUsable(v allocator.IPVersion, ips, excludeIPs []string) *allocator.Set {
	return lenientSet(v, ips).Subtract(lenientSet(v, excludeIPs))
}

// lenientPrefix parses another object's subnet; ok is false when it is not a
// canonical CIDR of family v.
func lenientPrefix(v allocator.IPVersion, subnet string) (prefix netip.Prefix, ok bool) {
	p, err := allocator.ParseCIDR(v, subnet)
	return p, err == nil
}

// overlappingRanges returns the ranges of s that share an address with r.
func overlappingRanges(s *allocator.Set, r allocator.Range) *allocator.Set {
	var out []allocator.Range
	for _, sr := range s.Ranges() {
		if sr.First.Compare(r.Last) <= 0 && r.First.Compare(sr.Last) <= 0 {
			out = append(out, sr)
		}
	}
	return setOf(s.Version(), out...)
}
