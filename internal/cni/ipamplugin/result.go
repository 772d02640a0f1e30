// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin

import (
	"fmt"
	"net"
	"net/netip"
	"slices"

	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// buildResult keeps the addresses and routes of ifName from the agent's
// answer for the whole pod (docs/reference/behaviour.md §1.2 step 8). The
// routes, default routes included, are the agent's as they are. The response
// must have passed agentapi validation.
func buildResult(resp *agentapi.AddResponse, ifName string) (*types100.Result, error) {
	result := &types100.Result{CNIVersion: types100.ImplementedSpecVersion, DNS: dnsOf(resp.DNS)}
	for _, ipc := range resp.IPs {
		if ipc.NIC == ifName {
			result.IPs = append(result.IPs, ipConfigOf(ipc))
		}
	}
	if len(result.IPs) == 0 {
		return nil, fmt.Errorf("spiderpool-agent allocated no address for interface %s (it did for %v); "+
			"check that the pod's ipam.spidernet.io/ippools annotation or the network's pools cover %s",
			ifName, nicsOf(resp.IPs), ifName)
	}
	for _, r := range resp.Routes {
		if r.IfName == ifName {
			result.Routes = append(result.Routes, routeOf(r))
		}
	}
	return result, nil
}

func ipConfigOf(ipc agentapi.IPConfig) *types100.IPConfig {
	// Validated: the address parses.
	prefix := netip.MustParsePrefix(ipc.Address)
	return &types100.IPConfig{Address: ipNetOf(prefix, false), Gateway: ipOf(ipc.Gateway)}
}

func routeOf(r agentapi.Route) *types.Route {
	dst := netip.MustParsePrefix(r.Dst)
	return &types.Route{Dst: ipNetOf(dst, true), GW: ipOf(r.Gw)}
}

func dnsOf(d agentapi.DNS) types.DNS {
	return types.DNS{
		Nameservers: slices.Clone(d.Nameservers), Domain: d.Domain,
		Search: slices.Clone(d.Search), Options: slices.Clone(d.Options),
	}
}

// ipNetOf converts a prefix, keeping its host bits unless masked is set;
// IPv4 uses the 4-byte form.
func ipNetOf(p netip.Prefix, masked bool) net.IPNet {
	if masked {
		p = p.Masked()
	}
	return net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// ipOf parses a validated address; "" is nil.
func ipOf(s string) net.IP {
	if s == "" {
		return nil
	}
	return netip.MustParseAddr(s).AsSlice()
}

// prefixOf is the inverse of ipNetOf for addresses read from the kernel or
// a prevResult.
func prefixOf(ip net.IP, mask net.IPMask) (netip.Prefix, bool) {
	addr, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Prefix{}, false
	}
	addr = addr.Unmap()
	ones, bits := mask.Size()
	if bits == 0 {
		return netip.Prefix{}, false
	}
	if bits == 128 && addr.Is4() {
		ones -= 96
	}
	return netip.PrefixFrom(addr, ones), true
}

func nicsOf(ips []agentapi.IPConfig) []string {
	var nics []string
	for _, ipc := range ips {
		if !slices.Contains(nics, ipc.NIC) {
			nics = append(nics, ipc.NIC)
		}
	}
	return nics
}
