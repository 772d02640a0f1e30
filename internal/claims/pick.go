// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims

import (
	"encoding/binary"
	"net/netip"
	"slices"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// Picker chooses the addresses an agent tries to claim in one pool.
//
// It first draws up to maxProbes addresses uniformly from the pool's usable
// addresses and offers each that is free: agents allocating at once rarely
// draw the same address while a fair share of the pool is free, wherever
// the others allocate. When the draws find nothing (a pool nearly full), it
// scans up from the last draw, wrapping around, jumping over the runs of
// addresses Taken.Skip knows (the claims, kept as ranges) and asking
// Taken.Is about each address it lands on. So one pick costs a few lookups,
// not the pool's size or its number of claims. Spiderpool promises no
// lowest-first order, and this is not one.
//
// A Picker is not safe for concurrent use.
type Picker struct {
	usable  *allocator.Set
	size    uint64                // addresses of usable, saturated
	draw    func(n uint64) uint64 // uniform in [0, n); nil: no draws
	taken   Taken
	probes  int                     // draws made
	last    netip.Addr              // the last draw
	offered map[netip.Addr]struct{} // drawn addresses offered
	segs    []allocator.Range       // what is left to scan, in order; nil before the scan
	next    netip.Addr              // the next address of segs[0]
	scan    bool                    // the scan has started
}

// maxProbes is how many draws a Picker makes before it scans: with a
// quarter of the pool free, all of them miss in 10% of the picks.
const maxProbes = 8

// Taken says which addresses a Picker must not offer.
type Taken struct {
	// Skip, when set, returns the lowest address at or after a that is not
	// in its runs of taken addresses; false when those reach the family's
	// last address.
	Skip func(a netip.Addr) (netip.Addr, bool)
	// Is reports whether a is taken (an address Skip does not know of).
	Is func(a netip.Addr) bool
}

// NewPicker returns a Picker in a pool with the given usable addresses
// (spec.ips minus excludeIPs and reserved IPs: see
// allocator.PoolSpec.Usable), offering the addresses not taken. draw
// returns a uniform random number below n (math/rand/v2's Uint64N); with
// draw nil the picker only scans, from the lowest address.
func NewPicker(usable *allocator.Set, draw func(n uint64) uint64, taken Taken) *Picker {
	size, _ := usable.Count()
	return &Picker{usable: usable, size: size, draw: draw, taken: taken, offered: map[netip.Addr]struct{}{}}
}

// Next returns the next address to try that is not taken. Each address is
// offered at most once, so the call after AlreadyExists (another agent won
// it) returns another one. It fails with allocator.ErrExhausted when the
// scan has come round to where it started.
func (p *Picker) Next() (netip.Addr, error) {
	for p.draw != nil && p.probes < maxProbes && p.size > 0 {
		p.probes++
		a := nth(p.usable, p.draw(p.size))
		p.last = a
		if _, seen := p.offered[a]; !seen && p.free(a) {
			p.offered[a] = struct{}{}
			return a, nil
		}
	}
	if !p.scan {
		p.scan = true
		start, _ := p.usable.First()
		if p.last.IsValid() {
			start = p.last
		}
		p.segs = scanOrder(p.usable.Ranges(), start)
		if len(p.segs) > 0 {
			p.next = p.segs[0].First
		}
	}
	return p.scanNext()
}

// free reports whether a is neither in Skip's runs nor taken.
func (p *Picker) free(a netip.Addr) bool {
	if p.taken.Skip != nil {
		if b, ok := p.taken.Skip(a); !ok || b != a {
			return false
		}
	}
	return p.taken.Is == nil || !p.taken.Is(a)
}

// scanNext returns the next address of the scan that is neither taken nor
// offered already by a draw.
func (p *Picker) scanNext() (netip.Addr, error) {
	for len(p.segs) > 0 {
		a, ok := p.next, true
		if p.taken.Skip != nil {
			a, ok = p.taken.Skip(a)
		}
		if !ok || p.segs[0].Last.Less(a) {
			p.advance()
			continue
		}
		if a == p.segs[0].Last {
			p.advance()
		} else {
			p.next = a.Next()
		}
		if _, seen := p.offered[a]; !seen && (p.taken.Is == nil || !p.taken.Is(a)) {
			return a, nil
		}
	}
	return netip.Addr{}, allocator.ErrExhausted
}

// advance moves to the next range to scan.
func (p *Picker) advance() {
	p.segs = p.segs[1:]
	if len(p.segs) > 0 {
		p.next = p.segs[0].First
	}
}

// scanOrder returns the ranges to scan from start round to just below it:
// the rest of start's range, the ranges above, the ranges below, and the
// beginning of start's range.
func scanOrder(ranges []allocator.Range, start netip.Addr) []allocator.Range {
	i := slices.IndexFunc(ranges, func(r allocator.Range) bool { return !r.Last.Less(start) })
	if i < 0 || start.Less(ranges[i].First) {
		return ranges // no start (an empty set) or not inside: scan in order
	}
	out := make([]allocator.Range, 0, len(ranges)+1)
	out = append(out, allocator.Range{First: start, Last: ranges[i].Last})
	out = append(out, ranges[i+1:]...)
	out = append(out, ranges[:i]...)
	if ranges[i].First.Less(start) {
		out = append(out, allocator.Range{First: ranges[i].First, Last: start.Prev()})
	}
	return out
}

// nth returns the address at offset off in s, counted from the lowest; off
// must be below the number of addresses of s.
func nth(s *allocator.Set, off uint64) netip.Addr {
	var last netip.Addr
	for _, r := range s.Ranges() {
		one := allocator.NewSet(s.Version())
		_ = one.Add(r) // r comes from a set of that family
		size, exact := one.Count()
		if !exact || off < size {
			return addUint64(r.First, off)
		}
		off -= size
		last = r.Last
	}
	return last
}

// addUint64 returns a+off; the caller keeps the sum inside a's range.
func addUint64(a netip.Addr, off uint64) netip.Addr {
	b := a.As16()
	lo := binary.BigEndian.Uint64(b[8:])
	sum := lo + off
	binary.BigEndian.PutUint64(b[8:], sum)
	if sum < lo {
		binary.BigEndian.PutUint64(b[:8], binary.BigEndian.Uint64(b[:8])+1)
	}
	r := netip.AddrFrom16(b)
	if a.Is4() {
		return r.Unmap()
	}
	return r
}
