// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"fmt"
	"net/netip"
)

// Validate checks what the plugin relies on: at least one address, and
// addresses, gateways and routes that parse and agree on their family.
// Its errors are InvalidRequest errors naming the field.
func (r *AddResponse) Validate() error {
	if len(r.IPs) == 0 {
		return invalidField("ips", "is empty")
	}
	return validateRecord(r.IPs, r.Routes)
}

// Validate checks the addresses and routes of a record; an empty record is
// valid here (the plugin decides what it needs).
func (r *CheckResponse) Validate() error {
	return validateRecord(r.IPs, r.Routes)
}

func validateRecord(ips []IPConfig, routes []Route) error {
	for i := range ips {
		if err := ips[i].validate(fmt.Sprintf("ips[%d]", i)); err != nil {
			return err
		}
	}
	for i := range routes {
		if err := routes[i].validate(fmt.Sprintf("routes[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

func (c *IPConfig) validate(at string) error {
	if c.Version != 4 && c.Version != 6 {
		return invalidField(at+".version", fmt.Sprintf("is %d; want 4 or 6", c.Version))
	}
	prefix, err := netip.ParsePrefix(c.Address)
	if err != nil {
		return invalidField(at+".address", fmt.Sprintf("%q is not an address in CIDR form: %v", c.Address, err))
	}
	if ipVersion(prefix.Addr()) != c.Version {
		return invalidField(at+".address", fmt.Sprintf("%q is not an IPv%d address", c.Address, c.Version))
	}
	if err := checkIfName(at+".nic", c.NIC); err != nil {
		return err
	}
	return checkNextHop(at+".gateway", c.Gateway, c.Version)
}

func (r *Route) validate(at string) error {
	if err := checkIfName(at+".ifName", r.IfName); err != nil {
		return err
	}
	dst, err := netip.ParsePrefix(r.Dst)
	if err != nil {
		return invalidField(at+".dst", fmt.Sprintf("%q is not a CIDR: %v", r.Dst, err))
	}
	return checkNextHop(at+".gw", r.Gw, ipVersion(dst.Addr()))
}

// checkNextHop accepts an empty value or an address of the given version.
func checkNextHop(field, value string, version int) error {
	if value == "" {
		return nil
	}
	addr, err := netip.ParseAddr(value)
	if err != nil {
		return invalidField(field, fmt.Sprintf("%q is not an IP address: %v", value, err))
	}
	if addr.Zone() != "" {
		return invalidField(field, fmt.Sprintf("%q has a zone; give the address alone", value))
	}
	if ipVersion(addr) != version {
		return invalidField(field, fmt.Sprintf("%q is not an IPv%d address", value, version))
	}
	return nil
}

// ipVersion is 4 for IPv4 (but not IPv4-mapped IPv6) addresses, else 6.
func ipVersion(a netip.Addr) int {
	if a.Is4() {
		return 4
	}
	return 6
}
