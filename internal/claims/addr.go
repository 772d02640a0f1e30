// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims

import (
	"fmt"
	"net/netip"
	"strings"
)

// EncodeAddr spells a for a claim name: its canonical form with '.' and ':'
// as '-', and a '0' before a leading or after a trailing "::". It refuses
// addresses with a zone and IPv4-mapped IPv6 addresses, which no pool holds.
func EncodeAddr(a netip.Addr) (string, error) {
	switch {
	case !a.IsValid():
		return "", fmt.Errorf("%w: the zero address; pass an address of the pool", ErrInvalidAddr)
	case a.Zone() != "":
		return "", fmt.Errorf("%w: %v has a zone; pass the address without it", ErrInvalidAddr, a)
	case a.Is4In6():
		return "", fmt.Errorf("%w: %v is IPv4-mapped; pass the IPv4 address", ErrInvalidAddr, a)
	}
	s := a.String()
	if a.Is6() {
		if strings.HasPrefix(s, "::") {
			s = "0" + s
		}
		if strings.HasSuffix(s, "::") {
			s += "0"
		}
		return strings.ReplaceAll(s, ":", "-"), nil
	}
	return strings.ReplaceAll(s, ".", "-"), nil
}

// DecodeAddr reads an address spelled by EncodeAddr. Only the exact spelling
// EncodeAddr gives is accepted, so one address has one claim name.
func DecodeAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.ReplaceAll(s, "-", "."))
	if err != nil {
		a, err = netip.ParseAddr(strings.ReplaceAll(s, "-", ":"))
	}
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: %q is not an address spelled with '-' (e.g. 10-0-0-5 or fd00--5)", ErrInvalidAddr, s)
	}
	if enc, err := EncodeAddr(a); err != nil || enc != s {
		return netip.Addr{}, fmt.Errorf("%w: %q is not the canonical spelling of %v; use %q", ErrInvalidAddr, s, a, enc)
	}
	return a, nil
}
