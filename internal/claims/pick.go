// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims

import (
	"encoding/binary"
	"hash/fnv"
	"net/netip"
	"slices"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// Picker chooses the addresses one node's agent tries to claim in one pool.
//
// The search starts at the node's own offset into the pool's usable
// addresses ([Start]) and goes up from there, wrapping around, so agents of
// different nodes rarely race for one address. Spiderpool promises no
// lowest-first order, and this is not one: the address a pod gets depends on
// its node. The offset is into the usable set, not into the free set, so a
// node keeps its starting point while others allocate.
//
// The picker jumps over the runs of addresses Taken.Skip knows (the
// claims, kept as ranges) and asks Taken.Is about each address it lands on,
// so one pick costs a lookup per run and per address taken otherwise, not
// the pool's size or its number of claims.
//
// A Picker is not safe for concurrent use.
type Picker struct {
	taken Taken
	segs  []allocator.Range // what is left to scan, in order
	next  netip.Addr        // the next address of segs[0]
}

// Taken says which addresses a Picker must not offer.
type Taken struct {
	// Skip, when set, returns the lowest address at or after a that is not
	// in its runs of taken addresses; false when those reach the family's
	// last address.
	Skip func(a netip.Addr) (netip.Addr, bool)
	// Is reports whether a is taken (an address Skip does not know of).
	Is func(a netip.Addr) bool
}

// NewPicker returns the Picker of node in a pool with the given usable
// addresses (spec.ips minus excludeIPs and reserved IPs: see
// allocator.PoolSpec.Usable), offering the addresses not taken.
func NewPicker(usable *allocator.Set, node string, taken Taken) *Picker {
	p := &Picker{taken: taken, segs: scanOrder(usable.Ranges(), Start(usable, node))}
	if len(p.segs) > 0 {
		p.next = p.segs[0].First
	}
	return p
}

// Next returns the next address to try that is not taken. Each address is
// offered at most once, so the call after AlreadyExists (another agent won
// it) returns another one. It fails with allocator.ErrExhausted when the
// scan has come round to the start.
func (p *Picker) Next() (netip.Addr, error) {
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
		if p.taken.Is == nil || !p.taken.Is(a) {
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

// Start returns node's first address to try in usable: the address at the
// offset FNV-1a(node) modulo the number of usable addresses, counted from
// the lowest. It is stable across processes and releases. The zero Addr for
// an empty set.
func Start(usable *allocator.Set, node string) netip.Addr {
	n, _ := usable.Count() // saturated at 2^64-1: any offset below it is in the set
	if n == 0 {
		return netip.Addr{}
	}
	return nth(usable, nodeHash(node)%n)
}

// nodeHash is FNV-1a of the node's name.
func nodeHash(node string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(node)) // a hash.Hash never fails to write
	return h.Sum64()
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
