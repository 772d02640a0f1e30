// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"net/netip"
	"slices"

	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
)

// slotResult is the address one slot (interface × family) got.
type slotResult struct {
	nic     string
	version int64
	ip      netip.Addr
	info    poolInfo
	// reused says the pool already recorded ip for the pod UID before this
	// attempt (an earlier attempt's): a rollback must leave it.
	reused bool
}

// buildDetails turns the addresses of the planned interfaces into endpoint
// entries, in plan order: address with the pool's prefix length, pool,
// gateway, cleanGateway (only when there is a gateway, as Spiderpool) and
// the pools' routes.
func buildDetails(plans []*nicPlan, results []slotResult) []spiderpoolv2beta1.IPAllocationDetail {
	details := make([]spiderpoolv2beta1.IPAllocationDetail, 0, len(plans))
	for _, plan := range plans {
		d := spiderpoolv2beta1.IPAllocationDetail{NIC: plan.nic, Vlan: ptr.To[int64](0)}
		hasGateway := false
		for _, r := range results {
			if r.nic != plan.nic {
				continue
			}
			addr, pool := netip.PrefixFrom(r.ip, r.info.subnet.Bits()).String(), r.info.name
			var gw *string
			if r.info.gateway.IsValid() {
				gw, hasGateway = ptr.To(r.info.gateway.String()), true
			}
			if r.version == spiderpoolv2beta1.IPv4 {
				d.IPv4, d.IPv4Pool, d.IPv4Gateway = &addr, &pool, gw
			} else {
				d.IPv6, d.IPv6Pool, d.IPv6Gateway = &addr, &pool, gw
			}
			d.Routes = mergeRoutes(d.Routes, r.info.routes)
		}
		if hasGateway {
			d.CleanGateway = ptr.To(plan.cleanGateway)
		}
		details = append(details, d)
	}
	return details
}

// attachRoutes adds each of the pod's ipam.spidernet.io/routes to the first
// entry whose subnet contains its gateway; for the same destination the
// pod's route replaces the pool's. It returns the routes that fit no entry.
func attachRoutes(details []spiderpoolv2beta1.IPAllocationDetail, routes []annotation.Route) []annotation.Route {
	var dropped []annotation.Route
	for _, r := range routes {
		i := detailForGateway(details, r.GW)
		if i < 0 {
			dropped = append(dropped, r)
			continue
		}
		details[i].Routes = mergeRoutes(details[i].Routes, []spiderpoolv2beta1.Route{{Dst: r.Dst.String(), Gw: r.GW.String()}})
	}
	return dropped
}

func detailForGateway(details []spiderpoolv2beta1.IPAllocationDetail, gw netip.Addr) int {
	for i, d := range details {
		for _, a := range []*string{d.IPv4, d.IPv6} {
			if a == nil {
				continue
			}
			if p, err := netip.ParsePrefix(*a); err == nil && p.Masked().Contains(gw) {
				return i
			}
		}
	}
	return -1
}

// mergeRoutes adds routes to list; a route whose destination is already in
// list replaces that entry.
func mergeRoutes(list, routes []spiderpoolv2beta1.Route) []spiderpoolv2beta1.Route {
	for _, r := range routes {
		replaced := false
		for i := range list {
			if list[i].Dst == r.Dst {
				list[i], replaced = r, true
				break
			}
		}
		if !replaced {
			list = append(list, r)
		}
	}
	return list
}

// findDetail returns the index of the entry of nic: the entry with that
// name, else an entry with no name (unnamed multi-NIC endpoints written by
// Spiderpool), else -1.
func findDetail(details []spiderpoolv2beta1.IPAllocationDetail, nic string) int {
	unnamed := -1
	for i, d := range details {
		if d.NIC == nic {
			return i
		}
		if d.NIC == "" && unnamed < 0 {
			unnamed = i
		}
	}
	return unnamed
}

// detailAddrs returns the addresses of an entry with their pools.
func detailAddrs(d *spiderpoolv2beta1.IPAllocationDetail) map[string][]netip.Addr {
	out := map[string][]netip.Addr{}
	add := func(addr, pool *string) {
		if addr == nil || pool == nil {
			return
		}
		if p, err := netip.ParsePrefix(*addr); err == nil {
			out[*pool] = append(out[*pool], p.Addr())
		}
	}
	add(d.IPv4, d.IPv4Pool)
	add(d.IPv6, d.IPv6Pool)
	return out
}

// addrsByPool gathers the addresses of entries by pool.
func addrsByPool(details []spiderpoolv2beta1.IPAllocationDetail) map[string][]netip.Addr {
	out := map[string][]netip.Addr{}
	for i := range details {
		for pool, addrs := range detailAddrs(&details[i]) {
			out[pool] = append(out[pool], addrs...)
		}
	}
	return out
}

// withoutAddrs returns the addresses of a that b does not hold, by pool.
func withoutAddrs(a, b map[string][]netip.Addr) map[string][]netip.Addr {
	out := map[string][]netip.Addr{}
	for pool, addrs := range a {
		for _, ip := range addrs {
			if !slices.Contains(b[pool], ip) {
				out[pool] = append(out[pool], ip)
			}
		}
	}
	return out
}

// mergeAddrs adds the addresses of b to a, each once.
func mergeAddrs(a, b map[string][]netip.Addr) map[string][]netip.Addr {
	for pool, addrs := range b {
		for _, ip := range addrs {
			if !slices.Contains(a[pool], ip) {
				a[pool] = append(a[pool], ip)
			}
		}
	}
	return a
}
