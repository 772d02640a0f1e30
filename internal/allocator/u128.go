// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator

import (
	"encoding/binary"
	"math"
	"math/bits"
	"net/netip"
)

// u128 is an address as an unsigned 128-bit integer. IPv4 addresses use the
// low 32 bits, so arithmetic and ordering are the same for both families.
type u128 struct{ hi, lo uint64 }

// toU128 converts an IPv4 or IPv6 address; the zone, if any, is ignored.
func toU128(a netip.Addr) u128 {
	if a.Is4() {
		b := a.As4()
		return u128{lo: uint64(binary.BigEndian.Uint32(b[:]))}
	}
	b := a.As16()
	return u128{hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:])}
}

// addr converts x back to an address of family v.
func (x u128) addr(v IPVersion) netip.Addr {
	if v == IPv4 {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(x.lo))
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], x.hi)
	binary.BigEndian.PutUint64(b[8:], x.lo)
	return netip.AddrFrom16(b)
}

// maxU128 is the highest address of family v.
func maxU128(v IPVersion) u128 {
	if v == IPv4 {
		return u128{lo: math.MaxUint32}
	}
	return u128{hi: math.MaxUint64, lo: math.MaxUint64}
}

// lowOnes has the n low bits set, 0 <= n <= 128.
func lowOnes(n int) u128 {
	if n >= 64 {
		return u128{hi: 1<<(n-64) - 1, lo: math.MaxUint64}
	}
	return u128{lo: 1<<n - 1}
}

func (x u128) less(y u128) bool {
	return x.hi < y.hi || (x.hi == y.hi && x.lo < y.lo)
}

func (x u128) cmp(y u128) int {
	switch {
	case x.less(y):
		return -1
	case y.less(x):
		return 1
	default:
		return 0
	}
}

func (x u128) or(y u128) u128 {
	return u128{hi: x.hi | y.hi, lo: x.lo | y.lo}
}

// inc returns x+1; it wraps to zero past 2^128-1, so callers compare with the
// family's maximum first.
func (x u128) inc() u128 {
	lo, carry := bits.Add64(x.lo, 1, 0)
	return u128{hi: x.hi + carry, lo: lo}
}

// dec returns x-1; callers ensure x > 0.
func (x u128) dec() u128 {
	lo, borrow := bits.Sub64(x.lo, 1, 0)
	return u128{hi: x.hi - borrow, lo: lo}
}

// sub returns x-y; callers ensure x >= y.
func (x u128) sub(y u128) u128 {
	lo, borrow := bits.Sub64(x.lo, y.lo, 0)
	return u128{hi: x.hi - y.hi - borrow, lo: lo}
}

// add returns x+y and whether it overflowed 128 bits.
func (x u128) add(y u128) (u128, bool) {
	lo, carry := bits.Add64(x.lo, y.lo, 0)
	hi, carry := bits.Add64(x.hi, y.hi, carry)
	return u128{hi: hi, lo: lo}, carry != 0
}

func maxOf(x, y u128) u128 {
	if x.less(y) {
		return y
	}
	return x
}

func minOf(x, y u128) u128 {
	if y.less(x) {
		return y
	}
	return x
}
