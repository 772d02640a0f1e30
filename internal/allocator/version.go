// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator

import (
	"errors"
	"fmt"
	"net/netip"
)

// IPVersion is an IP family as Spiderpool spells it in spec.ipVersion: 4 or 6.
type IPVersion int64

// The IP versions Spiderpool accepts.
const (
	IPv4 IPVersion = 4
	IPv6 IPVersion = 6
)

// ErrInvalidVersion is returned when an IP version is neither 4 nor 6.
var ErrInvalidVersion = errors.New("invalid IP version")

// ErrFamilyMismatch is returned when an address, range or set is of the other
// IP family than the one required.
var ErrFamilyMismatch = errors.New("IP family mismatch")

// Valid reports whether v is IPv4 or IPv6.
func (v IPVersion) Valid() bool {
	return v == IPv4 || v == IPv6
}

// check returns ErrInvalidVersion, wrapped with the value, unless v is valid.
func (v IPVersion) check() error {
	if v.Valid() {
		return nil
	}
	return fmt.Errorf("%w %d: expected 4 or 6", ErrInvalidVersion, v)
}

// bits is the address width of the family: 32 or 128.
func (v IPVersion) bits() int {
	if v == IPv4 {
		return 32
	}
	return 128
}

// VersionOf returns the IP version of a: IPv4 for a 4-byte address, IPv6 for
// a 16-byte one, and 0 for the zero Addr and for IPv4-mapped IPv6 addresses
// (::ffff:a.b.c.d), which this package does not accept as either family.
func VersionOf(a netip.Addr) IPVersion {
	switch {
	case a.Is4():
		return IPv4
	case a.Is6() && !a.Is4In6():
		return IPv6
	default:
		return 0
	}
}
