// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"slices"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// hostRulePriority is the priority of the node's rule "from all lookup
// <hostRuleTable>" and of the pod's "fwmark 0x1 lookup 100".
const hostRulePriority = 1000

// VethAliasPrefix starts the alias of every host veth the plugin makes;
// the container ID follows, so that DEL finds the link by the full ID.
const VethAliasPrefix = "spiderpool-coordinator:"

// HostVethName is the node side of a pod's veth pair: "veth" and the
// first 11 characters of the container ID, as in Spiderpool.
func HostVethName(containerID string) string {
	return "veth" + containerID[:min(len(containerID), 11)]
}

// skipHostLink matches the node interfaces whose addresses are not "host
// IPs" for the pod: bridges, other pods' veths, tunnels of other CNIs.
var skipHostLink = regexp.MustCompile(`^(docker|cbr|dummy|virbr|lxcbr|veth|cali|flannel|kube-ipvs|cni|cilium)|^(lo|vx-submariner)$`)

// hostIPs runs in the node's netns: for each pod address, the source the
// node uses to reach it, then the addresses of the node's own interfaces,
// without duplicates, in the families of podIPs
// (docs/reference/behaviour.md §8.3).
func hostIPs(podIPs []netip.Addr) ([]netip.Addr, error) {
	var out []netip.Addr
	add := func(a netip.Addr) {
		if a.IsValid() && a.IsGlobalUnicast() && hasFamily(podIPs, a.Is4()) && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, ip := range podIPs {
		routes, err := netlink.RouteGet(ip.AsSlice())
		if err != nil {
			continue // no route to this pod address from the node
		}
		for _, r := range routes {
			src, _ := netip.AddrFromSlice(r.Src)
			add(src.Unmap())
		}
	}
	links, err := netlinksafe.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list the node's links: %w", err)
	}
	for _, l := range links {
		if skipHostLink.MatchString(l.Attrs().Name) {
			continue
		}
		addrs, err := globalAddrs(l)
		if err != nil {
			return nil, err
		}
		for _, p := range addrs {
			add(p.Addr())
		}
	}
	return out, nil
}

// ensureHostRule adds "from all lookup table priority 1000" for each
// family of podIPs unless it is there.
func ensureHostRule(table int, podIPs []netip.Addr) error {
	for _, fam := range families(podIPs) {
		rules, err := netlinksafe.RuleListFiltered(fam, &netlink.Rule{Table: table}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return fmt.Errorf("list the node's rules: %w", err)
		}
		if slices.ContainsFunc(rules, func(r netlink.Rule) bool {
			return r.Priority == hostRulePriority && r.Src == nil && r.Dst == nil && r.Mark == 0
		}) {
			continue
		}
		rule := netlink.NewRule()
		rule.Family, rule.Table, rule.Priority = fam, table, hostRulePriority
		if err := netlink.RuleAdd(rule); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("add the node's rule from all lookup %d: %w", table, err)
		}
	}
	return nil
}

// families lists the netlink families of addrs, IPv4 first.
func families(addrs []netip.Addr) []int {
	var out []int
	if hasFamily(addrs, true) {
		out = append(out, netlink.FAMILY_V4)
	}
	if hasFamily(addrs, false) {
		out = append(out, netlink.FAMILY_V6)
	}
	return out
}

// routePodIPs replaces the node's routes to podIPs in table by on-link
// routes through the host veth.
func routePodIPs(table int, veth netlink.Link, podIPs []netip.Addr) error {
	for _, ip := range podIPs {
		r := &netlink.Route{Dst: hostPrefix(ip), LinkIndex: veth.Attrs().Index, Scope: netlink.SCOPE_LINK, Table: table}
		if err := netlink.RouteReplace(r); err != nil {
			return fmt.Errorf("route %s dev %s table %d on the node: %w", ip, veth.Attrs().Name, table, err)
		}
	}
	return nil
}

// setNeighbours deletes the node's neighbour entries for podIPs (stale
// ones from an earlier pod with the same address) and adds permanent ones
// on the host veth to the pod's veth0 MAC.
func setNeighbours(veth netlink.Link, podIPs []netip.Addr, mac net.HardwareAddr) error {
	for _, ip := range podIPs {
		if err := deleteNeighbours(ip); err != nil {
			return err
		}
	}
	return addNeighbours(veth, podIPs, mac)
}

// deleteNeighbours deletes the node's neighbour entries for ip on every
// link; an entry gone in between is not an error.
func deleteNeighbours(ip netip.Addr) error {
	neighs, err := netlink.NeighList(0, family(ip))
	if err != nil {
		return fmt.Errorf("list the node's neighbours: %w", err)
	}
	for _, n := range neighs {
		if a, ok := netip.AddrFromSlice(n.IP); ok && a.Unmap() == ip {
			if err := netlink.NeighDel(&n); err != nil && !errors.Is(err, unix.ENOENT) {
				return fmt.Errorf("delete the node's neighbour %s: %w", ip, err)
			}
		}
	}
	return nil
}

// addNeighbours adds permanent entries ip → mac on link, in the current
// netns.
func addNeighbours(link netlink.Link, ips []netip.Addr, mac net.HardwareAddr) error {
	for _, ip := range ips {
		n := &netlink.Neigh{LinkIndex: link.Attrs().Index, Family: family(ip), State: netlink.NUD_PERMANENT, IP: ip.AsSlice(), HardwareAddr: mac}
		if err := netlink.NeighSet(n); err != nil {
			return fmt.Errorf("neighbour %s lladdr %s dev %s: %w", ip, mac, link.Attrs().Name, err)
		}
	}
	return nil
}
