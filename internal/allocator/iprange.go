// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// ErrInvalidRange is returned for a string that is not a Spiderpool IP range
// of the requested version (docs/reference/interface.md §2.1).
var ErrInvalidRange = errors.New("invalid IP range")

// Range is an inclusive range of addresses of one family, First <= Last.
type Range struct {
	// First is the lowest address in the range.
	First netip.Addr
	// Last is the highest address in the range; it equals First for a single
	// address.
	Last netip.Addr
}

// String formats r as Spiderpool does: "a" for a single address, "a-b"
// otherwise.
func (r Range) String() string {
	if r.First == r.Last {
		return r.First.String()
	}
	return r.First.String() + "-" + r.Last.String()
}

// Version returns the family of r, or 0 if r is not a valid range of one
// family with First <= Last.
func (r Range) Version() IPVersion {
	v := VersionOf(r.First)
	if v == 0 || VersionOf(r.Last) != v || r.Last.Less(r.First) {
		return 0
	}
	return v
}

// PrefixRange returns the range of all addresses in p, network and broadcast
// addresses included. p must be valid.
func PrefixRange(p netip.Prefix) Range {
	v := VersionOf(p.Addr())
	lo := toU128(p.Masked().Addr())
	hi := lo.or(lowOnes(v.bits() - p.Bits()))
	return Range{First: lo.addr(v), Last: hi.addr(v)}
}

// ParseRange parses a single address "10.6.0.10" or an inclusive range
// "10.6.0.10-10.6.0.20" of version v. Spaces, zones, IPv4-mapped IPv6
// addresses, mixed families and a start above the end are rejected.
func ParseRange(v IPVersion, s string) (Range, error) {
	if err := v.check(); err != nil {
		return Range{}, err
	}
	first, last, isRange := strings.Cut(s, "-")
	if !isRange {
		last = first
	}
	r, reason := parseBounds(v, first, last)
	if reason != "" {
		return Range{}, fmt.Errorf("%w %q: %s; expected %s", ErrInvalidRange, s, reason, rangeExample(v))
	}
	return r, nil
}

// parseBounds parses both ends and returns a reason when they are not valid.
func parseBounds(v IPVersion, first, last string) (Range, string) {
	a, reason := parseAddr(v, first)
	if reason != "" {
		return Range{}, reason
	}
	b, reason := parseAddr(v, last)
	if reason != "" {
		return Range{}, reason
	}
	if b.Less(a) {
		return Range{}, "the start is above the end"
	}
	return Range{First: a, Last: b}, ""
}

// parseAddr parses one address of version v and returns a reason when it is
// not valid.
func parseAddr(v IPVersion, s string) (netip.Addr, string) {
	a, err := netip.ParseAddr(s)
	switch {
	case err != nil:
		return netip.Addr{}, fmt.Sprintf("%q is not an IP address", s)
	case a.Zone() != "":
		return netip.Addr{}, fmt.Sprintf("%q has a zone", s)
	case a.Is4In6():
		return netip.Addr{}, fmt.Sprintf("%q is an IPv4-mapped IPv6 address", s)
	case VersionOf(a) != v:
		return netip.Addr{}, fmt.Sprintf("%q is not an IPv%d address", s, v)
	}
	return a, ""
}

// rangeExample describes the accepted forms for error messages.
func rangeExample(v IPVersion) string {
	if v == IPv4 {
		return `an IPv4 address like "10.6.0.10" or a range like "10.6.0.10-10.6.0.20"`
	}
	return `an IPv6 address like "fd00::10" or a range like "fd00::10-fd00::20"`
}

// ParseRanges parses every entry of ss as a range of version v. It reports
// every bad entry, by index, in one joined error.
func ParseRanges(v IPVersion, ss []string) ([]Range, error) {
	if err := v.check(); err != nil {
		return nil, err
	}
	out := make([]Range, 0, len(ss))
	var errs []error
	for i, s := range ss {
		r, err := ParseRange(v, s)
		if err != nil {
			errs = append(errs, fmt.Errorf("entry %d: %w", i, err))
			continue
		}
		out = append(out, r)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// ParseSet parses ss as ranges of version v and returns their union.
func ParseSet(v IPVersion, ss []string) (*Set, error) {
	rs, err := ParseRanges(v, ss)
	if err != nil {
		return nil, err
	}
	s := NewSet(v)
	for _, r := range rs {
		s.insert(toSpan(r))
	}
	return s, nil
}

// MergeRanges returns ss as sorted, deduplicated, minimal ranges of version v
// in Spiderpool's format, as the mutating webhooks store spec.ips and
// spec.excludeIPs. It returns nil for an empty list.
func MergeRanges(v IPVersion, ss []string) ([]string, error) {
	s, err := ParseSet(v, ss)
	if err != nil {
		return nil, err
	}
	return s.Strings(), nil
}

// TotalIPCount is Spiderpool's status.totalIPCount for a pool or subnet: the
// number of addresses in ips minus excludeIPs (reserved IPs are not
// subtracted), saturated at math.MaxInt64.
func TotalIPCount(v IPVersion, ips, excludeIPs []string) (int64, error) {
	in, err := ParseSet(v, ips)
	if err != nil {
		return 0, fmt.Errorf("ips: %w", err)
	}
	out, err := ParseSet(v, excludeIPs)
	if err != nil {
		return 0, fmt.Errorf("excludeIPs: %w", err)
	}
	return in.Subtract(out).CountInt64(), nil
}
