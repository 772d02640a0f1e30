// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"net/netip"
)

const routesForm = `[{"dst":"10.0.0.0/16","gw":"192.168.1.1"}]`

// Route is one item of [KeyRoutes]. The agent attaches it to the allocated
// NIC whose subnet contains GW.
type Route struct {
	// Dst is the destination, with host bits cleared.
	Dst netip.Prefix `json:"dst"`
	// GW is the next hop, of the same IP family as Dst.
	GW netip.Addr `json:"gw"`
}

// rawRoute keeps the strings so that errors can quote them.
type rawRoute struct {
	Dst string `json:"dst"`
	GW  string `json:"gw"`
}

// ParseRoutes parses a [KeyRoutes] value. Each item needs "dst" (a CIDR)
// and "gw" (an IP address) of the same family. An empty list is valid.
func ParseRoutes(value string) ([]Route, error) {
	var raw []rawRoute
	if err := decodeJSON(KeyRoutes, value, routesForm, &raw); err != nil {
		return nil, err
	}
	routes := make([]Route, 0, len(raw))
	for i, r := range raw {
		route, err := r.parse(i)
		if err != nil {
			return nil, err
		}
		routes = append(routes, route)
	}
	return routes, nil
}

func (r rawRoute) parse(i int) (Route, error) {
	if r.Dst == "" || r.GW == "" {
		return Route{}, errorf(KeyRoutes, "item %d needs both \"dst\" and \"gw\"; expected %s", i, routesForm)
	}
	dst, err := netip.ParsePrefix(r.Dst)
	if err != nil {
		return Route{}, errorf(KeyRoutes, "item %d \"dst\" %q is not a CIDR such as \"10.0.0.0/16\" or \"fd00::/64\"",
			i, r.Dst)
	}
	gw, err := netip.ParseAddr(r.GW)
	if err != nil || gw.Zone() != "" {
		return Route{}, errorf(KeyRoutes, "item %d \"gw\" %q is not an IP address such as \"192.168.1.1\" or \"fd00::1\"",
			i, r.GW)
	}
	if dst.Addr().Is4() != gw.Is4() {
		return Route{}, errorf(KeyRoutes, "item %d mixes IP families (\"dst\" %q, \"gw\" %q); "+
			"use an IPv4 gw for an IPv4 dst and an IPv6 gw for an IPv6 dst", i, r.Dst, r.GW)
	}
	return Route{Dst: dst.Masked(), GW: gw}, nil
}
