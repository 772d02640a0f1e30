// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"net/netip"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// The conversions between the wire types of agentapi and the domain types
// of ipam live here, at the edge, so neither package knows the other.

func allocateRequest(r *agentapi.AddRequest) ipam.AllocateRequest {
	return ipam.AllocateRequest{
		ContainerID: r.ContainerID, IfName: r.IfName, NetNS: r.NetNamespace,
		PodNamespace: r.PodNamespace, PodName: r.PodName, PodUID: r.PodUID,
		DefaultIPv4Pools: r.DefaultIPv4IPPool, DefaultIPv6Pools: r.DefaultIPv6IPPool,
		CleanGateway: r.CleanGateway,
	}
}

func releaseRequest(r *agentapi.DelRequest) ipam.ReleaseRequest {
	return ipam.ReleaseRequest{
		ContainerID: r.ContainerID, IfName: r.IfName, NetNS: r.NetNamespace,
		PodNamespace: r.PodNamespace, PodName: r.PodName, PodUID: r.PodUID,
	}
}

func releaseAllRequest(r *agentapi.BatchDelRequest) ipam.ReleaseAllRequest {
	out := ipam.ReleaseAllRequest{ReleaseRequest: ipam.ReleaseRequest{
		ContainerID: r.ContainerID, NetNS: r.NetNamespace,
		PodNamespace: r.PodNamespace, PodName: r.PodName, PodUID: r.PodUID,
	}, IsReleaseConflictIPs: r.IsReleaseConflictIPs}
	if r.Detection != nil {
		if ip, err := netip.ParseAddr(r.Detection.ConflictIP); err == nil { // validated by the server
			out.ConflictIPs = []netip.Addr{ip}
		}
	}
	return out
}

// detection carries the ConfigMap's probe switches into every address.
type detection struct{ gateway, conflict bool }

// addResponse converts res; conflict detection is off for a KubeVirt
// live migration's target, whose source pod still answers for the
// addresses.
func addResponse(res *ipam.Result, d detection) *agentapi.AddResponse {
	if res.SkipConflictDetection {
		d.conflict = false
	}
	out := &agentapi.AddResponse{}
	for _, nic := range res.NICs {
		ips, routes := nicWire(nic, d)
		out.IPs = append(out.IPs, ips...)
		out.Routes = append(out.Routes, routes...)
	}
	return out
}

func checkResponse(res *ipam.Result, ifName string) *agentapi.CheckResponse {
	out := &agentapi.CheckResponse{}
	if nic, ok := res.NIC(ifName); ok {
		out.IPs, out.Routes = nicWire(nic, detection{})
	}
	return out
}

func nicWire(nic ipam.NIC, d detection) ([]agentapi.IPConfig, []agentapi.Route) {
	var ips []agentapi.IPConfig
	for _, c := range []*ipam.IPConfig{nic.IPv4, nic.IPv6} {
		if c != nil {
			ips = append(ips, ipWire(nic.Interface, c, d))
		}
	}
	routes := make([]agentapi.Route, 0, len(nic.Routes))
	for _, r := range nic.Routes {
		routes = append(routes, agentapi.Route{IfName: nic.Interface, Dst: r.Dst.String(), Gw: r.GW.String()})
	}
	return ips, routes
}

func ipWire(nic string, c *ipam.IPConfig, d detection) agentapi.IPConfig {
	out := agentapi.IPConfig{
		Version: 4, Address: c.Address.String(), NIC: nic, IPPool: c.Pool,
		EnableGatewayDetection: d.gateway, EnableIPConflictDetection: d.conflict,
	}
	if c.Address.Addr().Is6() {
		out.Version = 6
	}
	if c.Gateway.IsValid() {
		out.Gateway = c.Gateway.String()
	}
	return out
}

func validContainerIDs(atts []agentapi.Attachment) []string {
	ids := make([]string, 0, len(atts))
	for _, a := range atts {
		ids = append(ids, a.ContainerID)
	}
	return ids
}
