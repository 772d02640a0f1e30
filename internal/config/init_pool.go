// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// poolVars names the variables of one family's default Subnet and IPPool.
type poolVars struct {
	subnetName, poolName, subnet, ranges, gateway string
}

// poolVarsOf returns the variables of family v.
func poolVarsOf(v allocator.IPVersion) poolVars {
	if v == allocator.IPv4 {
		return poolVars{EnvInitIPv4SubnetName, EnvInitIPv4IPPoolName, EnvInitIPv4IPPoolSubnet, EnvInitIPv4IPPoolIPRanges, EnvInitIPv4IPPoolGateway}
	}
	return poolVars{EnvInitIPv6SubnetName, EnvInitIPv6IPPoolName, EnvInitIPv6IPPoolSubnet, EnvInitIPv6IPPoolIPRanges, EnvInitIPv6IPPoolGateway}
}

// initPool reads family v's default Subnet and IPPool, if either is named.
func (r *envReader) initPool(v allocator.IPVersion) *InitPool {
	vars := poolVarsOf(v)
	p := InitPool{
		SubnetName: r.str(envVar{name: vars.subnetName}),
		IPPoolName: r.str(envVar{name: vars.poolName}),
	}
	if p.SubnetName == "" && p.IPPoolName == "" {
		return nil
	}
	why := fmt.Sprintf("when %s or %s is set", vars.subnetName, vars.poolName)
	p.Subnet = r.cidr(v, envVar{name: vars.subnet, required: true, why: why})
	p.IPRanges = r.ipRanges(v, envVar{name: vars.ranges})
	p.Gateway = r.gateway(v, envVar{name: vars.gateway})
	return &p
}

// distinctNames reports an IPv6 Subnet or IPPool named like the IPv4 one.
func (r *envReader) distinctNames(v4, v6 *InitPool) {
	if v4 == nil || v6 == nil {
		return
	}
	if v4.SubnetName != "" && v4.SubnetName == v6.SubnetName {
		r.invalid(envVar{name: EnvInitIPv6SubnetName}, v6.SubnetName, "a name other than the IPv4 Subnet's ("+EnvInitIPv4SubnetName+")", nil)
	}
	if v4.IPPoolName != "" && v4.IPPoolName == v6.IPPoolName {
		r.invalid(envVar{name: EnvInitIPv6IPPoolName}, v6.IPPoolName, "a name other than the IPv4 IPPool's ("+EnvInitIPv4IPPoolName+")", nil)
	}
}

// cidr reads a canonical CIDR of family v.
func (r *envReader) cidr(v allocator.IPVersion, ev envVar) string {
	s, ok := r.value(ev)
	if !ok {
		return ""
	}
	if _, err := allocator.ParseCIDR(v, s); err != nil {
		r.invalid(ev, s, fmt.Sprintf("an IPv%d subnet", v), err)
	}
	return s
}

// gateway reads an address of family v.
func (r *envReader) gateway(v allocator.IPVersion, ev envVar) string {
	s, ok := r.value(ev)
	if !ok {
		return ""
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" || allocator.VersionOf(a) != v {
		r.invalid(ev, s, fmt.Sprintf("an IPv%d address", v), nil)
	}
	return s
}

// ipRanges reads a list of IPs and ranges of family v.
func (r *envReader) ipRanges(v allocator.IPVersion, ev envVar) []string {
	s, ok := r.value(ev)
	if !ok {
		return nil
	}
	items := splitList(s)
	for _, item := range items {
		if _, err := allocator.ParseRange(v, item); err != nil {
			r.invalid(ev, s, fmt.Sprintf("a list of IPv%d addresses and ranges", v), err)
		}
	}
	return items
}

// hijackCIDR reads a list of CIDRs or addresses of either family, masked,
// with bare addresses as /32 or /128. It is empty, not nil, when unset.
func (r *envReader) hijackCIDR(ev envVar) []string {
	s, _ := r.value(ev)
	items := splitList(s)
	out := make([]string, 0, len(items))
	for _, item := range items {
		p, err := parseIPOrCIDR(item)
		if err != nil {
			r.invalid(ev, s, "a list of CIDRs or IP addresses", err)
			continue
		}
		out = append(out, p.String())
	}
	return out
}

// parseIPOrCIDR parses "10.0.0.0/8" (masked) or a bare address (full length).
func parseIPOrCIDR(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q: %w", s, err)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q: %w", s, err)
	}
	if a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q: an address with a zone is not a route destination", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// splitList splits a JSON-ish list into its items, as spiderpool-init does:
// the chart passes ["a","b"] (double quotes are already gone), and
// backslashes and brackets are dropped and commas separate like spaces.
func splitList(s string) []string {
	return strings.Fields(strings.NewReplacer(`\`, "", "[", "", "]", "", ",", " ").Replace(s))
}
