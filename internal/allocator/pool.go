// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
)

var (
	// ErrNotReady is returned by every Pool operation that reads or changes
	// allocations before Restore has loaded the existing ones: answering
	// before then could hand out an address that is already in use.
	ErrNotReady = errors.New("allocator not ready: existing allocations not restored")
	// ErrExhausted is returned when a pool has no free usable address left.
	ErrExhausted = errors.New("all IP addresses used out")
	// ErrNotInPool is returned for an address that is not usable in the
	// pool: outside its ips, excluded, reserved, or of the other family.
	ErrNotInPool = errors.New("IP address not in pool")
	// ErrAlreadyAllocated is returned when allocating an address that is
	// already allocated.
	ErrAlreadyAllocated = errors.New("IP address already allocated")
)

// PoolSpec describes a pool as its SpiderIPPool does, with the reserved IPs
// of its family (the union of all SpiderReservedIP spec.ips,
// docs/reference/behaviour.md §2.1).
type PoolSpec struct {
	// Version is the pool's spec.ipVersion.
	Version IPVersion
	// IPs is spec.ips.
	IPs []string
	// ExcludeIPs is spec.excludeIPs.
	ExcludeIPs []string
	// ReservedIPs are the SpiderReservedIP ranges of Version.
	ReservedIPs []string
}

// Usable parses the spec and returns ips − excludeIPs − reservedIPs. It
// reports every bad entry of every field in one joined error.
func (ps PoolSpec) Usable() (*Set, error) {
	if err := ps.Version.check(); err != nil {
		return nil, err
	}
	ips, err1 := ParseSet(ps.Version, ps.IPs)
	excl, err2 := ParseSet(ps.Version, ps.ExcludeIPs)
	resv, err3 := ParseSet(ps.Version, ps.ReservedIPs)
	if err := errors.Join(fieldErr("ips", err1), fieldErr("excludeIPs", err2), fieldErr("reservedIPs", err3)); err != nil {
		return nil, err
	}
	return ips.Subtract(excl).Subtract(resv), nil
}

// fieldErr names the field an error came from; nil stays nil.
func fieldErr(field string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", field, err)
}

// Pool allocates addresses from one pool's usable set. It starts not ready;
// see Restore. A Pool is not safe for concurrent use.
type Pool struct {
	usable    *Set
	allocated *Set // may hold addresses outside usable (restored)
	free      *Set // always usable − allocated
	ready     bool
}

// NewPool returns a not-ready pool for spec.
func NewPool(spec PoolSpec) (*Pool, error) {
	usable, err := spec.Usable()
	if err != nil {
		return nil, err
	}
	return NewPoolFromSet(usable), nil
}

// NewPoolFromSet returns a not-ready pool whose usable addresses are a copy
// of usable.
func NewPoolFromSet(usable *Set) *Pool {
	return &Pool{
		usable:    usable.Clone(),
		allocated: NewSet(usable.version),
		free:      NewSet(usable.version),
	}
}

// Version returns the pool's IP family.
func (p *Pool) Version() IPVersion { return p.usable.version }

// Ready reports whether Restore has been called.
func (p *Pool) Ready() bool { return p.ready }

// Usable returns a copy of the pool's usable set.
func (p *Pool) Usable() *Set { return p.usable.Clone() }

// Restore replaces the pool's allocations with addrs and marks the pool
// ready. Addresses outside the usable set are kept as allocated so they are
// never handed out; duplicates are fine. Any address that is not of the
// pool's family fails the whole call with ErrFamilyMismatch, and nothing
// changes. Restore may be called again to resynchronise with the store.
func (p *Pool) Restore(addrs []netip.Addr) error {
	xs := make([]u128, 0, len(addrs))
	var errs []error
	for _, a := range addrs {
		if !p.usable.has(a) {
			errs = append(errs, fmt.Errorf("%w: restoring %v into an IPv%d pool", ErrFamilyMismatch, a, p.Version()))
			continue
		}
		xs = append(xs, toU128(a))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	slices.SortFunc(xs, u128.cmp)
	allocated := &Set{version: p.Version(), spans: make([]span, 0, len(xs))}
	for _, x := range xs {
		allocated.appendJoin(span{lo: x, hi: x})
	}
	p.allocated, p.free, p.ready = allocated, p.usable.Subtract(allocated), true
	return nil
}

// SetUsable replaces the usable set, for a changed spec or changed reserved
// IPs, and keeps every allocation. It fails with ErrFamilyMismatch if usable
// is of the other family.
func (p *Pool) SetUsable(usable *Set) error {
	if usable.version != p.Version() {
		return fmt.Errorf("%w: IPv%d usable set for an IPv%d pool", ErrFamilyMismatch, usable.version, p.Version())
	}
	p.usable = usable.Clone()
	p.free = p.usable.Subtract(p.allocated)
	return nil
}
