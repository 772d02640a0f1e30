// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"net/netip"

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
// A Picker is not safe for concurrent use.
type Picker struct {
	pool  *allocator.Pool
	start netip.Addr
}

// NewPicker returns the Picker of node in a pool with the given usable
// addresses (spec.ips minus excludeIPs and reserved IPs: see
// allocator.PoolSpec.Usable) and taken addresses (those with a claim or a
// record in the pool's status: see Taken). Taken addresses of the other
// family are ignored; those outside the usable set are kept taken.
func NewPicker(usable *allocator.Set, taken []netip.Addr, node string) (*Picker, error) {
	pool := allocator.NewPoolFromSet(usable)
	own := make([]netip.Addr, 0, len(taken))
	for _, a := range taken {
		if allocator.VersionOf(a) == usable.Version() {
			own = append(own, a)
		}
	}
	if err := pool.Restore(own); err != nil {
		return nil, fmt.Errorf("restore taken addresses: %w", err)
	}
	return &Picker{pool: pool, start: Start(usable, node)}, nil
}

// Next returns the next free address to try and counts it as taken, so the
// following call (after AlreadyExists, another agent won it) returns another
// one. It fails with allocator.ErrExhausted when none is left.
func (p *Picker) Next() (netip.Addr, error) {
	return p.pool.AllocateNext(p.start)
}

// Take counts a as taken (a claim seen meanwhile).
func (p *Picker) Take(a netip.Addr) {
	_ = p.pool.Allocate(a) // already taken or not usable: nothing to do
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
