// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"fmt"
	"net/netip"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

var (
	defaultDst4 = netip.MustParsePrefix("0.0.0.0/0")
	defaultDst6 = netip.MustParsePrefix("::/0")
)

// resultFromEndpoint converts every interface recorded in ep. Fresh,
// idempotent and StatefulSet allocations all go through here, so they
// answer alike.
func resultFromEndpoint(ep *spiderpoolv2beta1.SpiderEndpoint) (*Result, error) {
	res := &Result{NICs: make([]NIC, 0, len(ep.Status.Current.IPs))}
	for i := range ep.Status.Current.IPs {
		nic, err := nicFromDetail(&ep.Status.Current.IPs[i])
		if err != nil {
			return nil, fmt.Errorf("%w: SpiderEndpoint %s/%s: %w", ErrBadRecord, ep.Namespace, ep.Name, err)
		}
		res.NICs = append(res.NICs, nic)
	}
	return res, nil
}

// nicFromDetail converts one entry: its addresses, a default route per
// family with a gateway unless cleanGateway (or a recorded route already
// covers the default destination), then the recorded routes.
func nicFromDetail(d *spiderpoolv2beta1.IPAllocationDetail) (NIC, error) {
	n := NIC{Interface: d.NIC, CleanGateway: d.CleanGateway != nil && *d.CleanGateway}
	var err4, err6 error
	n.IPv4, err4 = ipConfig(d.IPv4, d.IPv4Pool, d.IPv4Gateway)
	n.IPv6, err6 = ipConfig(d.IPv6, d.IPv6Pool, d.IPv6Gateway)
	if err := firstErr(err4, err6); err != nil {
		return NIC{}, fmt.Errorf("interface %s: %w", d.NIC, err)
	}
	routes := make([]Route, 0, len(d.Routes))
	for _, r := range d.Routes {
		dst, err := netip.ParsePrefix(r.Dst)
		if err != nil {
			return NIC{}, fmt.Errorf("interface %s route dst: %w", d.NIC, err)
		}
		gw, err := netip.ParseAddr(r.Gw)
		if err != nil {
			return NIC{}, fmt.Errorf("interface %s route gw: %w", d.NIC, err)
		}
		routes = append(routes, Route{Dst: dst, GW: gw})
	}
	if !n.CleanGateway {
		n.Routes = append(n.Routes, defaultRoute(n.IPv4, defaultDst4, routes)...)
		n.Routes = append(n.Routes, defaultRoute(n.IPv6, defaultDst6, routes)...)
	}
	n.Routes = append(n.Routes, routes...)
	return n, nil
}

func defaultRoute(c *IPConfig, dst netip.Prefix, recorded []Route) []Route {
	if c == nil || !c.Gateway.IsValid() {
		return nil
	}
	for _, r := range recorded {
		if r.Dst == dst {
			return nil
		}
	}
	return []Route{{Dst: dst, GW: c.Gateway}}
}

func ipConfig(addr, pool, gateway *string) (*IPConfig, error) {
	if addr == nil || *addr == "" {
		return nil, nil
	}
	p, err := netip.ParsePrefix(*addr)
	if err != nil {
		return nil, err
	}
	c := &IPConfig{Address: p}
	if pool != nil {
		c.Pool = *pool
	}
	if c.Gateway, err = parseOptionalAddr(gateway); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return c, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
