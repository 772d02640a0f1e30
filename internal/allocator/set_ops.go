// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator

import (
	"fmt"
	"slices"
)

// checkRange returns an error unless r is a valid range of the set's family.
func (s *Set) checkRange(r Range) error {
	if err := s.version.check(); err != nil {
		return err
	}
	switch rv := r.Version(); {
	case rv == 0:
		return fmt.Errorf("%w %q: the ends must be addresses of one family with start <= end", ErrInvalidRange, r)
	case rv != s.version:
		return fmt.Errorf("%w: range %s in an IPv%d set", ErrFamilyMismatch, r, s.version)
	}
	return nil
}

// Add adds every address of r to s, in O(log n) plus a copy of the spans
// after the insertion point.
func (s *Set) Add(r Range) error {
	if err := s.checkRange(r); err != nil {
		return err
	}
	s.insert(toSpan(r))
	return nil
}

// Remove removes every address of r from s. Removing a range of the other
// family is a no-op; an invalid range is an error.
func (s *Set) Remove(r Range) error {
	if err := s.checkRange(r); err != nil {
		if r.Version() != 0 && s.version.Valid() {
			return nil
		}
		return err
	}
	s.remove(toSpan(r))
	return nil
}

// insert adds n, joining every span it overlaps or touches.
func (s *Set) insert(n span) {
	i := 0
	if n.lo != (u128{}) {
		i = s.firstHiAtLeast(n.lo.dec())
	}
	j := len(s.spans)
	if n.hi != maxU128(s.version) {
		j = s.firstLoAbove(n.hi.inc())
	}
	if i < j {
		n.lo = minOf(n.lo, s.spans[i].lo)
		n.hi = maxOf(n.hi, s.spans[j-1].hi)
	}
	s.replace(i, j, n)
}

// replace puts v in place of s.spans[i:j]. When the lengths match, as when a
// span grows or shrinks at one end, nothing after j moves.
func (s *Set) replace(i, j int, v ...span) {
	if len(v) == j-i {
		copy(s.spans[i:j], v)
		return
	}
	s.spans = slices.Replace(s.spans, i, j, v...)
}

// remove deletes n, keeping the parts of the end spans that stick out.
func (s *Set) remove(n span) {
	i, j := s.firstHiAtLeast(n.lo), s.firstLoAbove(n.hi)
	if i >= j {
		return
	}
	first, last := s.spans[i], s.spans[j-1]
	var rest [2]span
	k := 0
	if first.lo.less(n.lo) {
		rest[k] = span{lo: first.lo, hi: n.lo.dec()}
		k++
	}
	if n.hi.less(last.hi) {
		rest[k] = span{lo: n.hi.inc(), hi: last.hi}
		k++
	}
	s.replace(i, j, rest[:k]...)
}

// Union returns the addresses in s or o, in O(n+m). Both must be of one
// family.
func (s *Set) Union(o *Set) (*Set, error) {
	if s.version != o.version {
		return nil, fmt.Errorf("%w: union of an IPv%d and an IPv%d set", ErrFamilyMismatch, s.version, o.version)
	}
	out := &Set{version: s.version, spans: make([]span, 0, len(s.spans)+len(o.spans))}
	i, j := 0, 0
	for i < len(s.spans) || j < len(o.spans) {
		if j == len(o.spans) || (i < len(s.spans) && s.spans[i].lo.less(o.spans[j].lo)) {
			out.appendJoin(s.spans[i])
			i++
		} else {
			out.appendJoin(o.spans[j])
			j++
		}
	}
	return out, nil
}

// appendJoin appends n, which starts at or after the last span's start,
// joining it to the last span when they overlap or touch.
func (s *Set) appendJoin(n span) {
	k := len(s.spans) - 1
	if k >= 0 && (s.spans[k].hi == maxU128(s.version) || !s.spans[k].hi.inc().less(n.lo)) {
		s.spans[k].hi = maxOf(s.spans[k].hi, n.hi)
		return
	}
	s.spans = append(s.spans, n)
}

// Subtract returns the addresses in s that are not in o, in O(n+m). A set of
// the other family removes nothing.
func (s *Set) Subtract(o *Set) *Set {
	if s.version != o.version {
		return s.Clone()
	}
	out := &Set{version: s.version, spans: make([]span, 0, len(s.spans))}
	j := 0
	for _, sp := range s.spans {
		for j < len(o.spans) && o.spans[j].hi.less(sp.lo) {
			j++
		}
		out.spans = subtractSpan(out.spans, sp, o.spans[j:])
	}
	return out
}

// subtractSpan appends to dst what is left of sp after removing cut, sorted
// spans of which the first may overlap sp.
func subtractSpan(dst []span, sp span, cut []span) []span {
	cur := sp.lo
	for _, c := range cut {
		if sp.hi.less(c.lo) {
			break
		}
		if cur.less(c.lo) {
			dst = append(dst, span{lo: cur, hi: c.lo.dec()})
		}
		if !c.hi.less(sp.hi) {
			return dst
		}
		cur = maxOf(cur, c.hi.inc())
	}
	return append(dst, span{lo: cur, hi: sp.hi})
}

// Overlaps reports whether s and o share an address, in O(n+m). Sets of
// different families never overlap.
func (s *Set) Overlaps(o *Set) bool {
	if s.version != o.version {
		return false
	}
	i, j := 0, 0
	for i < len(s.spans) && j < len(o.spans) {
		switch a, b := s.spans[i], o.spans[j]; {
		case a.hi.less(b.lo):
			i++
		case b.hi.less(a.lo):
			j++
		default:
			return true
		}
	}
	return false
}
