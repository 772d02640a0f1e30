// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// tuneRoutes runs in the pod's netns for an extra NIC (docs/reference/
// behaviour.md §8.4 step 11): the NIC that does not keep the main default
// route gets "from <its IPs> lookup table" and its routes move into table
// (default routes are moved, others copied).
func tuneRoutes(nic netlink.Link, defaultRouteNIC string, table int, nicAddrs []netip.Addr) error {
	prev, err := defaultRouteLink(nic)
	if err != nil {
		return err
	}
	if defaultRouteNIC != nic.Attrs().Name || prev == nil {
		if err := addFromRules(nicAddrs, table); err != nil {
			return err
		}
		return moveRoutes(nic, table)
	}
	// This NIC takes the main default route: the previous holder moves.
	prevAddrs, err := globalAddrs(prev)
	if err != nil {
		return err
	}
	if err := addFromRules(addrsOf(prevAddrs), table); err != nil {
		return err
	}
	return moveRoutes(prev, table)
}

// isDefault reports a default route of either family.
func isDefault(r *netlink.Route) bool {
	return r.Dst == nil || (r.Dst.IP.IsUnspecified() && r.Dst.Mask != nil && isZeroMask(r.Dst.Mask))
}

func isZeroMask(m []byte) bool {
	for _, b := range m {
		if b != 0 {
			return false
		}
	}
	return true
}

// usesLink reports whether r goes out of link index idx, directly or as
// one of its nexthops.
func usesLink(r *netlink.Route, idx int) bool {
	if r.LinkIndex == idx {
		return true
	}
	for _, nh := range r.MultiPath {
		if nh.LinkIndex == idx {
			return true
		}
	}
	return false
}

// mainRoutes lists the main table.
func mainRoutes() ([]netlink.Route, error) {
	routes, err := netlinksafe.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return nil, fmt.Errorf("list the pod's main routes: %w", err)
	}
	return routes, nil
}

// defaultRouteLink is the link, other than nic and veth0, that holds a
// default route in main; nil when none does.
func defaultRouteLink(nic netlink.Link) (netlink.Link, error) {
	routes, err := mainRoutes()
	if err != nil {
		return nil, err
	}
	links, err := netlinksafe.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list the pod's links: %w", err)
	}
	byIndex := map[int]netlink.Link{}
	for _, l := range links {
		byIndex[l.Attrs().Index] = l
	}
	for i := range routes {
		r := &routes[i]
		if !isDefault(r) {
			continue
		}
		idx := r.LinkIndex
		if idx == 0 && len(r.MultiPath) > 0 {
			idx = r.MultiPath[0].LinkIndex
		}
		l, ok := byIndex[idx]
		if !ok || idx == nic.Attrs().Index || l.Attrs().Name == PodVeth {
			continue
		}
		return l, nil
	}
	return nil, nil
}

// addFromRules adds "from <ip> lookup table" for each address.
func addFromRules(addrs []netip.Addr, table int) error {
	for _, a := range addrs {
		rule := netlink.NewRule()
		rule.Family, rule.Table, rule.Src = family(a), table, hostPrefix(a)
		if err := netlink.RuleAdd(rule); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("rule from %s lookup %d in the pod: %w", a, table, err)
		}
	}
	return nil
}

// moveRoutes copies link's main routes into table and deletes its default
// routes from main. A multipath default route is split: link's nexthops
// go to table, the others stay in main as single routes.
func moveRoutes(link netlink.Link, table int) error {
	routes, err := mainRoutes()
	if err != nil {
		return err
	}
	idx := link.Attrs().Index
	var defaults []netlink.Route
	for _, r := range routes {
		if !usesLink(&r, idx) {
			continue
		}
		for _, single := range split(r, idx) {
			single.Table = table
			if err := netlink.RouteReplace(&single); err != nil {
				return fmt.Errorf("copy route %s to table %d: %w", single, table, err)
			}
		}
		if isDefault(&r) {
			defaults = append(defaults, r)
		}
	}
	for _, r := range defaults {
		if err := netlink.RouteDel(&r); err != nil {
			return fmt.Errorf("move the default route %s out of main: %w", r, err)
		}
		for _, other := range otherHops(r, idx) {
			if err := netlink.RouteReplace(&other); err != nil {
				return fmt.Errorf("keep the default route %s in main: %w", other, err)
			}
		}
	}
	return nil
}

// split returns r's paths through link index idx as single routes.
func split(r netlink.Route, idx int) []netlink.Route {
	if len(r.MultiPath) == 0 {
		return []netlink.Route{plainRoute(r)}
	}
	var out []netlink.Route
	for _, nh := range r.MultiPath {
		if nh.LinkIndex == idx {
			out = append(out, netlink.Route{Dst: r.Dst, Gw: nh.Gw, LinkIndex: nh.LinkIndex, Priority: r.Priority, Protocol: r.Protocol, Family: r.Family})
		}
	}
	return out
}

// otherHops returns the paths of a multipath r not through idx.
func otherHops(r netlink.Route, idx int) []netlink.Route {
	var out []netlink.Route
	for _, nh := range r.MultiPath {
		if nh.LinkIndex != idx {
			out = append(out, netlink.Route{Dst: r.Dst, Gw: nh.Gw, LinkIndex: nh.LinkIndex, Priority: r.Priority, Protocol: r.Protocol, Family: r.Family, Table: unix.RT_TABLE_MAIN})
		}
	}
	return out
}

// plainRoute keeps the fields a copy needs.
func plainRoute(r netlink.Route) netlink.Route {
	return netlink.Route{Dst: r.Dst, Gw: r.Gw, Src: r.Src, LinkIndex: r.LinkIndex, Scope: r.Scope,
		Priority: r.Priority, Protocol: r.Protocol, Family: r.Family, Type: r.Type, Flags: r.Flags}
}
