// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator

import (
	"math"
	"net/netip"
	"testing"
)

func TestU128RoundTrip(t *testing.T) {
	for _, s := range []string{"0.0.0.0", "10.6.0.1", "255.255.255.255", "::", "fd00::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"} {
		a := netip.MustParseAddr(s)
		if got := toU128(a).addr(VersionOf(a)); got != a {
			t.Errorf("round trip of %s = %s", s, got)
		}
	}
}

func TestU128Arithmetic(t *testing.T) {
	max6 := maxU128(IPv6)
	if got := max6.inc(); got != (u128{}) {
		t.Errorf("max+1 = %v, want wrap to 0", got)
	}
	if got := (u128{hi: 1}).dec(); got != (u128{lo: math.MaxUint64}) {
		t.Errorf("2^64-1 = %v", got)
	}
	if _, overflow := max6.add(u128{lo: 1}); !overflow {
		t.Error("max+1 did not report overflow")
	}
	if got := (u128{hi: 2, lo: 0}).sub(u128{lo: 1}); got != (u128{hi: 1, lo: math.MaxUint64}) {
		t.Errorf("borrow: %v", got)
	}
	if got := lowOnes(128); got != max6 {
		t.Errorf("lowOnes(128) = %v", got)
	}
	if got := lowOnes(80); got != (u128{hi: 0xffff, lo: math.MaxUint64}) {
		t.Errorf("lowOnes(80) = %v", got)
	}
	if got := lowOnes(0); got != (u128{}) {
		t.Errorf("lowOnes(0) = %v", got)
	}
}
