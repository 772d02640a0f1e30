// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package autopool

import (
	"errors"
	"fmt"
	"math"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// ErrFreeIPsNotEnough is returned, wrapped with the details, when a pool
// cannot shrink to its new size because too few of its IPs are free: the
// caller retries later, once pods have released theirs.
var ErrFreeIPsNotEnough = errors.New("not enough free IPs in the pool to shrink it")

// ErrSubnetIPsNotEnough is returned, wrapped with the details, when a
// subnet has too few unassigned IPs to grow or create a pool.
var ErrSubnetIPsNotEnough = errors.New("insufficient subnet FreeIPs")

// Inputs are what [PreAllocate] decides from. Every set has the subnet's
// version; nil sets are empty.
type Inputs struct {
	// Subnet names the SpiderSubnet in errors.
	Subnet string
	// Usable is the subnet's spec.ips minus spec.excludeIPs.
	Usable *allocator.Set
	// Others are the IPs the subnet has handed to every other pool.
	Others *allocator.Set
	// Reserved are the IPs of the SpiderReservedIPs of the version.
	Reserved *allocator.Set
	// Current is what the subnet has handed to this pool so far.
	Current *allocator.Set
	// Allocated are the IPs of this pool that pods hold.
	Allocated *allocator.Set
	// Size is the number of IPs the pool must have.
	Size int
}

// PreAllocate returns the IPs the pool must hold
// (docs/reference/behaviour.md §5.5):
//   - same size: Current, repaired when pods hold IPs outside it (an
//     interrupted shrink): those are added back and the lowest free IPs
//     dropped instead;
//   - smaller: Current without its lowest free IPs, or ErrFreeIPsNotEnough;
//   - larger: Current plus the lowest IPs no pool and no SpiderReservedIP
//     holds, or ErrSubnetIPsNotEnough.
func PreAllocate(in Inputs) (*allocator.Set, error) {
	v := in.Usable.Version()
	others, reserved := orEmpty(v, in.Others), orEmpty(v, in.Reserved)
	cur, allocated := orEmpty(v, in.Current), orEmpty(v, in.Allocated)
	if missing := allocated.Subtract(cur).Subtract(others); !missing.IsEmpty() {
		var err error
		if cur, err = cur.Union(missing); err != nil {
			return nil, err
		}
	}
	have := int(min(count(cur), math.MaxInt32)) // an auto pool never holds 2^31 IPs
	switch {
	case have > in.Size:
		return shrink(cur, allocated, have-in.Size)
	case have < in.Size:
		return grow(in.Subnet, cur, in.Usable.Subtract(others).Subtract(reserved).Subtract(cur), in.Size-have)
	}
	return cur, nil
}

// shrink drops the n lowest free IPs of cur.
func shrink(cur, allocated *allocator.Set, n int) (*allocator.Set, error) {
	free := cur.Subtract(allocated)
	if got := count(free); got < uint64(n) {
		return nil, fmt.Errorf("%w: it must drop %d IPs but only %d of its %d are free; it shrinks once pods release theirs",
			ErrFreeIPsNotEnough, n, got, count(cur))
	}
	return cur.Subtract(Lowest(free, n)), nil
}

// grow adds the n lowest IPs of avail to cur.
func grow(subnet string, cur, avail *allocator.Set, n int) (*allocator.Set, error) {
	if got := count(avail); got < uint64(n) {
		return nil, fmt.Errorf("%w: SpiderSubnet %q has %d unassigned IPs, %d wanted; add IPs to its spec.ips or lower the ippool-ip-number annotation",
			ErrSubnetIPsNotEnough, subnet, got, n)
	}
	return cur.Union(Lowest(avail, n))
}

// Lowest returns the n lowest addresses of s (all of s if it has fewer).
func Lowest(s *allocator.Set, n int) *allocator.Set {
	out := allocator.NewSet(s.Version())
	for _, r := range s.Ranges() {
		if n <= 0 {
			break
		}
		last := r.First
		n--
		for n > 0 && last != r.Last {
			last = last.Next()
			n--
		}
		_ = out.Add(allocator.Range{First: r.First, Last: last}) // a sub-range of s: same version, ordered
	}
	return out
}

// count is the size of s, saturated at 2^64-1.
func count(s *allocator.Set) uint64 {
	n, _ := s.Count()
	return n
}

func orEmpty(v allocator.IPVersion, s *allocator.Set) *allocator.Set {
	if s == nil {
		return allocator.NewSet(v)
	}
	return s
}
