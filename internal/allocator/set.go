// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator

import (
	"math"
	"net/netip"
	"strings"
)

// span is an inclusive run of addresses as integers, lo <= hi.
type span struct{ lo, hi u128 }

// toSpan converts a range; callers have checked its family.
func toSpan(r Range) span {
	return span{lo: toU128(r.First), hi: toU128(r.Last)}
}

// Set is a set of addresses of one IP family, kept as sorted, disjoint,
// non-adjacent inclusive spans. A set of one family contains no address of
// the other: queries with such addresses answer false, and removing them is a
// no-op. The zero Set is not usable; create one with NewSet or ParseSet.
type Set struct {
	version IPVersion
	spans   []span
}

// NewSet returns an empty set of family v. If v is not IPv4 or IPv6 the set
// stays empty: Add fails with ErrInvalidVersion.
func NewSet(v IPVersion) *Set {
	return &Set{version: v}
}

// Version returns the set's IP family.
func (s *Set) Version() IPVersion { return s.version }

// IsEmpty reports whether s has no address.
func (s *Set) IsEmpty() bool { return len(s.spans) == 0 }

// NumRanges returns the number of maximal ranges in s.
func (s *Set) NumRanges() int { return len(s.spans) }

// Clone returns an independent copy of s.
func (s *Set) Clone() *Set {
	return &Set{version: s.version, spans: append([]span(nil), s.spans...)}
}

// Equal reports whether s and o hold the same addresses of the same family.
func (s *Set) Equal(o *Set) bool {
	if s.version != o.version || len(s.spans) != len(o.spans) {
		return false
	}
	for i := range s.spans {
		if s.spans[i] != o.spans[i] {
			return false
		}
	}
	return true
}

// Ranges returns the maximal ranges of s in ascending order.
func (s *Set) Ranges() []Range {
	out := make([]Range, len(s.spans))
	for i, sp := range s.spans {
		out[i] = Range{First: sp.lo.addr(s.version), Last: sp.hi.addr(s.version)}
	}
	return out
}

// Strings returns the maximal ranges of s in Spiderpool's format, ascending;
// nil for an empty set.
func (s *Set) Strings() []string {
	if s.IsEmpty() {
		return nil
	}
	out := make([]string, len(s.spans))
	for i, r := range s.Ranges() {
		out[i] = r.String()
	}
	return out
}

// String returns the ranges of s separated by commas, for logs and tests.
func (s *Set) String() string {
	return strings.Join(s.Strings(), ",")
}

// has reports whether a is of the set's family.
func (s *Set) has(a netip.Addr) bool {
	return s.version.Valid() && VersionOf(a) == s.version
}

// firstHiAtLeast returns the index of the first span whose hi >= x, or
// len(s.spans). It is a plain binary search so that lookups never allocate.
func (s *Set) firstHiAtLeast(x u128) int {
	lo, hi := 0, len(s.spans)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s.spans[mid].hi.less(x) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// firstLoAbove returns the index of the first span whose lo > x, or
// len(s.spans).
func (s *Set) firstLoAbove(x u128) int {
	lo, hi := 0, len(s.spans)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if x.less(s.spans[mid].lo) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// Contains reports whether a is in s.
func (s *Set) Contains(a netip.Addr) bool {
	if !s.has(a) {
		return false
	}
	return s.contains(toU128(a))
}

func (s *Set) contains(x u128) bool {
	i := s.firstHiAtLeast(x)
	return i < len(s.spans) && !x.less(s.spans[i].lo)
}

// ContainsRange reports whether every address of r is in s.
func (s *Set) ContainsRange(r Range) bool {
	if r.Version() != s.version || !s.version.Valid() {
		return false
	}
	sp := toSpan(r)
	i := s.firstHiAtLeast(sp.hi)
	return i < len(s.spans) && !sp.lo.less(s.spans[i].lo)
}

// nextMember returns the lowest member >= x, if any.
func (s *Set) nextMember(x u128) (u128, bool) {
	i := s.firstHiAtLeast(x)
	if i == len(s.spans) {
		return u128{}, false
	}
	return maxOf(x, s.spans[i].lo), true
}

// NextMember returns the lowest address of s at or after a, in O(log n).
func (s *Set) NextMember(a netip.Addr) (netip.Addr, bool) {
	if !s.has(a) {
		return netip.Addr{}, false
	}
	x, ok := s.nextMember(toU128(a))
	if !ok {
		return netip.Addr{}, false
	}
	return x.addr(s.version), true
}

// NextNonMember returns the lowest address at or after a that is not in s,
// in O(log n): a itself when it is not in s, otherwise the address after
// the end of a's range. It is false when that range ends at the family's
// last address, or when a is not of s's family.
func (s *Set) NextNonMember(a netip.Addr) (netip.Addr, bool) {
	if !s.has(a) {
		return netip.Addr{}, false
	}
	x := toU128(a)
	i := s.firstHiAtLeast(x)
	if i == len(s.spans) || x.less(s.spans[i].lo) {
		return a, true
	}
	if s.spans[i].hi == maxU128(s.version) {
		return netip.Addr{}, false
	}
	return s.spans[i].hi.inc().addr(s.version), true
}

// First returns the lowest address of s.
func (s *Set) First() (netip.Addr, bool) {
	if s.IsEmpty() {
		return netip.Addr{}, false
	}
	return s.spans[0].lo.addr(s.version), true
}

// count returns the number of addresses in s and whether it overflowed 128
// bits (only ::/0 does).
func (s *Set) count() (u128, bool) {
	var total u128
	for _, sp := range s.spans {
		size, overflow := sp.hi.sub(sp.lo).add(u128{lo: 1})
		if overflow {
			return u128{}, true
		}
		if total, overflow = total.add(size); overflow {
			return u128{}, true
		}
	}
	return total, false
}

// Count returns the number of addresses in s. If that does not fit a uint64
// (a /48 holds 2^80), it returns math.MaxUint64 and exact=false.
func (s *Set) Count() (n uint64, exact bool) {
	total, overflow := s.count()
	if overflow || total.hi != 0 {
		return math.MaxUint64, false
	}
	return total.lo, true
}

// CountInt64 returns the number of addresses in s saturated at
// math.MaxInt64, as Spiderpool clamps totalIPCount.
func (s *Set) CountInt64() int64 {
	n, exact := s.Count()
	if !exact || n > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(n)
}
