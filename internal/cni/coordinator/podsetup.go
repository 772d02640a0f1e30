// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
	"github.com/vishvananda/netlink"
)

// setVethLinkAddress puts addr on veth0 as a /32 (Istio's link-local
// address, Spiderpool issue #3568).
func setVethLinkAddress(veth0 netlink.Link, addr netip.Addr) error {
	a := &netlink.Addr{IPNet: hostPrefix(addr)}
	if err := netlink.AddrReplace(veth0, a); err != nil {
		return fmt.Errorf("add vethLinkAddress %s to %s: %w", addr, PodVeth, err)
	}
	return nil
}

// macFromIP is prefix followed by the last four bytes of ip: all of an
// IPv4 address, the low 32 bits of an IPv6 one.
func macFromIP(prefix []byte, ip netip.Addr) net.HardwareAddr {
	b := ip.As16()
	return net.HardwareAddr{prefix[0], prefix[1], b[12], b[13], b[14], b[15]}
}

// setMACPrefix gives nic the MAC made from prefix and its first address.
// The link stays UP (macvlan and veth take a new MAC live): taking it
// down would flush its IPv6 addresses.
func setMACPrefix(nic netlink.Link, prefix []byte, first netip.Addr) (net.HardwareAddr, error) {
	if nic.Type() == "ipvlan" {
		return nil, fmt.Errorf("podMACPrefix: %s is an ipvlan interface, whose MAC is its master's; remove podMACPrefix for ipvlan networks", nic.Attrs().Name)
	}
	mac := macFromIP(prefix, first)
	if err := netlink.LinkSetHardwareAddr(nic, mac); err != nil {
		return nil, fmt.Errorf("set MAC %s on %s (podMACPrefix): %w", mac, nic.Attrs().Name, err)
	}
	return mac, nil
}

// setSysctls enables IPv6 when the NIC has an IPv6 address and sets
// rp_filter when rp ≥ 0, for all, default and the NIC.
func setSysctls(ifName string, addrs []netip.Addr, rp int) error {
	var keys []string
	if hasFamily(addrs, false) {
		for _, dev := range []string{"all", "default", ifName} {
			keys = append(keys, "net.ipv6.conf."+dev+".disable_ipv6=0")
		}
	}
	if rp >= 0 {
		for _, dev := range []string{"all", "default", ifName} {
			keys = append(keys, fmt.Sprintf("net.ipv4.conf.%s.rp_filter=%d", dev, rp))
		}
	}
	for _, kv := range keys {
		name, value, _ := strings.Cut(kv, "=")
		if _, err := sysctl.Sysctl(name, value); err != nil {
			return fmt.Errorf("set %s in the pod: %w", kv, err)
		}
	}
	return nil
}

// podHostRoute is an on-link route to a host IP through veth0.
func podHostRoute(veth0 netlink.Link, ip netip.Addr, table int) *netlink.Route {
	return &netlink.Route{Dst: hostPrefix(ip), LinkIndex: veth0.Attrs().Index, Scope: netlink.SCOPE_LINK, Table: table}
}

// replaceRoutes adds or replaces each route.
func replaceRoutes(routes []*netlink.Route) error {
	for _, r := range routes {
		if err := netlink.RouteReplace(r); err != nil {
			return fmt.Errorf("route %s in table %d of the pod: %w", r, r.Table, err)
		}
	}
	return nil
}

// hijackRoutes are the routes of cidrs via the host IP of their family
// through veth0 (or the overlay NIC) in table; families without a host IP
// are skipped.
func hijackRoutes(dev netlink.Link, cidrs []netip.Prefix, hostIPs []netip.Addr, table int) []*netlink.Route {
	var out []*netlink.Route
	for _, c := range cidrs {
		gw, ok := firstOfFamily(hostIPs, c.Addr())
		if !ok {
			continue
		}
		out = append(out, &netlink.Route{Dst: ipNet(c), Gw: gw.AsSlice(), LinkIndex: dev.Attrs().Index, Table: table})
	}
	return out
}

// policyRoutes are the extra routes of the configuration, in table.
func policyRoutes(routes []PolicyRoute, table int) []*netlink.Route {
	out := make([]*netlink.Route, 0, len(routes))
	for _, r := range routes {
		out = append(out, &netlink.Route{Dst: ipNet(r.Dst), Gw: r.Gw.AsSlice(), Table: table})
	}
	return out
}

// linkByName is netlinksafe.LinkByName with the name in the error.
func linkByName(name string) (netlink.Link, error) {
	l, err := netlinksafe.LinkByName(name)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", name, err)
	}
	return l, nil
}
