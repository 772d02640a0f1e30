// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"fmt"
	"net/netip"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// specPath is the root of every spec field path.
var specPath = field.NewPath("spec")

// addressSpec is the part that IPPoolSpec and SubnetSpec share, with the
// same rules (docs/reference/interface.md §2.2, §2.3).
type addressSpec struct {
	ipVersion  *int64
	subnet     string
	ips        []string
	excludeIPs []string
	gateway    *string
	routes     []spiderpoolv2beta1.Route
}

func poolAddressSpec(s *spiderpoolv2beta1.IPPoolSpec) addressSpec {
	return addressSpec{s.IPVersion, s.Subnet, s.IPs, s.ExcludeIPs, s.Gateway, s.Routes}
}

func subnetAddressSpec(s *spiderpoolv2beta1.SubnetSpec) addressSpec {
	return addressSpec{s.IPVersion, s.Subnet, s.IPs, s.ExcludeIPs, s.Gateway, s.Routes}
}

// entry is one element of spec.ips that parsed.
type entry struct {
	index int             // position in spec.ips
	text  string          // as written
	r     allocator.Range // its addresses
	set   *allocator.Set  // the same addresses as a set
}

// parsedSpec is an addressSpec whose version and subnet are valid. Entries
// of ips and excludeIPs that did not parse are left out; they are reported.
type parsedSpec struct {
	version allocator.IPVersion
	prefix  netip.Prefix
	entries []entry        // parsed spec.ips, in spec order
	ips     *allocator.Set // union of entries
	exclude *allocator.Set // union of spec.excludeIPs
	usable  *allocator.Set // ips minus exclude: what the pool hands out
}

// validateAddressSpec checks the shared fields and returns them parsed. The
// parsed spec is nil when ipVersion or subnet is unusable, since every other
// rule depends on them.
func validateAddressSpec(spec addressSpec, cfg Config) (*parsedSpec, field.ErrorList) {
	version, errs := validateVersion(spec.ipVersion, specPath.Child("ipVersion"), cfg, "spec.subnet")
	prefix, subnetErrs := validateSubnetCIDR(spec.subnet, version, specPath.Child("subnet"))
	errs = append(errs, subnetErrs...)
	if len(errs) > 0 {
		return nil, errs
	}
	p := &parsedSpec{version: version, prefix: prefix}
	var ipErrs, excludeErrs field.ErrorList
	p.entries, ipErrs = p.parseEntries(spec.ips, specPath.Child("ips"))
	excluded, excludeErrs := p.parseEntries(spec.excludeIPs, specPath.Child("excludeIPs"))
	errs = append(append(errs, ipErrs...), excludeErrs...)
	errs = append(errs, overlappingEntries(p.entries, specPath.Child("ips"))...)
	p.ips, p.exclude = unionOf(version, p.entries), unionOf(version, excluded)
	p.usable = p.ips.Subtract(p.exclude)
	errs = append(errs, p.validateGateway(spec.gateway, specPath.Child("gateway"))...)
	errs = append(errs, validateRoutes(version, prefix, spec.routes, specPath.Child("routes"))...)
	return p, errs
}

// validateSubnetCIDR checks spec.subnet: a CIDR in canonical form, of the
// family version when that is known (non-zero).
func validateSubnetCIDR(s string, version allocator.IPVersion, path *field.Path) (netip.Prefix, field.ErrorList) {
	if s == "" {
		return netip.Prefix{}, field.ErrorList{field.Required(path, `set the network in canonical CIDR form, e.g. "10.6.0.0/16"`)}
	}
	prefix, err := allocator.ParseCanonicalCIDR(s)
	if err != nil {
		return netip.Prefix{}, field.ErrorList{field.Invalid(path, s, err.Error())}
	}
	if got := allocator.VersionOf(prefix.Addr()); version != 0 && got != version {
		return netip.Prefix{}, field.ErrorList{field.Invalid(path, s, fmt.Sprintf(
			"is an IPv%d subnet but spec.ipVersion is %d; use an IPv%d subnet or set spec.ipVersion to %d", got, version, version, got))}
	}
	return prefix, nil
}

// parseEntries parses a list of IP ranges and checks that each lies inside
// the subnet. It returns the entries that parsed.
func (p *parsedSpec) parseEntries(list []string, path *field.Path) ([]entry, field.ErrorList) {
	var errs field.ErrorList
	out := make([]entry, 0, len(list))
	whole := allocator.PrefixRange(p.prefix)
	for i, s := range list {
		r, err := allocator.ParseRange(p.version, s)
		if err != nil {
			errs = append(errs, field.Invalid(path.Index(i), s, err.Error()))
			continue
		}
		if !p.prefix.Contains(r.First) || !p.prefix.Contains(r.Last) {
			errs = append(errs, field.Invalid(path.Index(i), s, fmt.Sprintf(
				"is not inside spec.subnet %s; use addresses from %s", p.prefix, whole)))
			continue
		}
		out = append(out, entry{index: i, text: s, r: r, set: setOf(p.version, r)})
	}
	return out, errs
}

// overlappingEntries reports every entry that shares addresses with an
// earlier-sorted one. The mutating webhook merges the list, so this only
// fires for objects that did not pass through it.
func overlappingEntries(entries []entry, path *field.Path) field.ErrorList {
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, func(a, b entry) int { return a.r.First.Compare(b.r.First) })
	var errs field.ErrorList
	for i := 1; i < len(sorted); i++ {
		prev, cur := sorted[i-1], sorted[i]
		if cur.r.First.Compare(prev.r.Last) > 0 {
			continue
		}
		first, second := prev, cur
		if second.index < first.index {
			first, second = second, first
		}
		errs = append(errs, field.Invalid(path.Index(second.index), second.text, fmt.Sprintf(
			"overlaps %s (%q); merge them into one range", path.Index(first.index), first.text)))
		if cur.r.Last.Compare(prev.r.Last) < 0 {
			sorted[i] = prev // keep the range reaching furthest for the next comparison
		}
	}
	return errs
}

// unionOf returns the addresses of the entries.
func unionOf(v allocator.IPVersion, entries []entry) *allocator.Set {
	ranges := make([]allocator.Range, len(entries))
	for i, e := range entries {
		ranges[i] = e.r
	}
	return setOf(v, ranges...)
}
