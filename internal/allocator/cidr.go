// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// ErrInvalidCIDR is returned for a string that is not a CIDR at all.
var ErrInvalidCIDR = errors.New("invalid CIDR")

// ErrUnformattedCIDR is returned for a valid CIDR that is not in canonical
// form; the message names the canonical form, as Spiderpool's does.
var ErrUnformattedCIDR = errors.New("unformatted subnet")

// ParseCanonicalCIDR parses a subnet and requires Spiderpool's canonical
// form: net.ParseCIDR(s) must format back to s
// (docs/reference/interface.md §2.1), so "10.6.0.0/16" is accepted and
// "10.6.0.1/16" fails with "unformatted subnet 10.6.0.1/16, please change it
// to 10.6.0.0/16".
func ParseCanonicalCIDR(s string) (netip.Prefix, error) {
	_, ipNet, err := net.ParseCIDR(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%w %q: expected a subnet like \"10.6.0.0/16\" or \"fd00::/64\"", ErrInvalidCIDR, s)
	}
	canonical := ipNet.String()
	if canonical != s {
		return netip.Prefix{}, fmt.Errorf("%w %s, please change it to %s", ErrUnformattedCIDR, s, canonical)
	}
	p, err := netip.ParsePrefix(canonical)
	if err != nil {
		// net formats every prefix it parses in a form netip reads; this is
		// only reachable if the two packages ever disagree.
		return netip.Prefix{}, fmt.Errorf("%w %q: %v", ErrInvalidCIDR, s, err) //nolint:errorlint // the sentinel is the one to match
	}
	return p, nil
}

// ParseCIDR is ParseCanonicalCIDR that also requires family v.
func ParseCIDR(v IPVersion, s string) (netip.Prefix, error) {
	if err := v.check(); err != nil {
		return netip.Prefix{}, err
	}
	p, err := ParseCanonicalCIDR(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if VersionOf(p.Addr()) != v {
		return netip.Prefix{}, fmt.Errorf("%w: subnet %s is not an IPv%d subnet", ErrFamilyMismatch, s, v)
	}
	return p, nil
}

// CIDRToLabelValue turns a CIDR into a label value by replacing '.', ':' and
// '/' with '-': "10.6.0.0/16" becomes "10-6-0-0-16" and "fd00::/64" becomes
// "fd00---64" (label ipam.spidernet.io/ippool-cidr,
// docs/reference/interface.md §2.1).
func CIDRToLabelValue(cidr string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '.', ':', '/':
			return '-'
		}
		return r
	}, cidr)
}
