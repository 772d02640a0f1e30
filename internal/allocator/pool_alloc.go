// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator

import (
	"fmt"
	"net/netip"
)

// checkAddr returns ErrNotReady or a wrapped ErrNotInPool for an address of
// the other family.
func (p *Pool) checkAddr(a netip.Addr) error {
	if !p.ready {
		return ErrNotReady
	}
	if !p.usable.has(a) {
		return fmt.Errorf("%w: %v is not an IPv%d address", ErrNotInPool, a, p.Version())
	}
	return nil
}

// FirstFree returns the lowest free usable address: Spiderpool's choice,
// since spec.ips is stored merged and ascending.
func (p *Pool) FirstFree() (netip.Addr, error) {
	if !p.ready {
		return netip.Addr{}, ErrNotReady
	}
	a, ok := p.free.First()
	if !ok {
		return netip.Addr{}, ErrExhausted
	}
	return a, nil
}

// NextFree returns the first free usable address at or after hint, wrapping
// around to the lowest one, in O(log n) of the free spans. The zero Addr as
// hint means FirstFree.
func (p *Pool) NextFree(hint netip.Addr) (netip.Addr, error) {
	if !hint.IsValid() {
		return p.FirstFree()
	}
	if err := p.checkAddr(hint); err != nil {
		return netip.Addr{}, err
	}
	if a, ok := p.free.NextMember(hint); ok {
		return a, nil
	}
	return p.FirstFree()
}

// AllocateNext allocates and returns NextFree(hint).
func (p *Pool) AllocateNext(hint netip.Addr) (netip.Addr, error) {
	a, err := p.NextFree(hint)
	if err != nil {
		return netip.Addr{}, err
	}
	p.take(toU128(a))
	return a, nil
}

// take moves the usable, free address x from free to allocated.
func (p *Pool) take(x u128) {
	p.allocated.insert(span{lo: x, hi: x})
	p.free.remove(span{lo: x, hi: x})
}

// Allocate marks a as allocated. It fails with ErrAlreadyAllocated if it is,
// and with ErrNotInPool if a is not usable.
func (p *Pool) Allocate(a netip.Addr) error {
	if err := p.checkAddr(a); err != nil {
		return err
	}
	x := toU128(a)
	if p.allocated.contains(x) {
		return fmt.Errorf("%w: %v", ErrAlreadyAllocated, a)
	}
	if !p.usable.contains(x) {
		return fmt.Errorf("%w: %v is outside the usable addresses", ErrNotInPool, a)
	}
	p.take(x)
	return nil
}

// Release frees a. Releasing an address that is not allocated, or of the
// other family, is a no-op: a release may be retried. A restored address
// outside the usable set stops being allocated but does not become free.
func (p *Pool) Release(a netip.Addr) error {
	if !p.ready {
		return ErrNotReady
	}
	if !p.usable.has(a) {
		return nil
	}
	x := toU128(a)
	if !p.allocated.contains(x) {
		return nil
	}
	p.allocated.remove(span{lo: x, hi: x})
	if p.usable.contains(x) {
		p.free.insert(span{lo: x, hi: x})
	}
	return nil
}

// IsAllocated reports whether a is allocated.
func (p *Pool) IsAllocated(a netip.Addr) (bool, error) {
	if !p.ready {
		return false, ErrNotReady
	}
	return p.allocated.Contains(a), nil
}

// Free returns the number of free usable addresses, saturated at
// math.MaxInt64.
func (p *Pool) Free() (int64, error) {
	if !p.ready {
		return 0, ErrNotReady
	}
	return p.free.CountInt64(), nil
}

// Allocated returns the number of allocated addresses, including restored
// ones outside the usable set.
func (p *Pool) Allocated() (int64, error) {
	if !p.ready {
		return 0, ErrNotReady
	}
	return p.allocated.CountInt64(), nil
}

// Total returns the number of usable addresses, saturated at math.MaxInt64.
// It needs no Restore.
func (p *Pool) Total() int64 {
	return p.usable.CountInt64()
}
