// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"fmt"
	"net/netip"
	"slices"

	cnitypes "github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
)

// networkStatus is one element of the k8s.v1.cni.cncf.io/network-status
// annotation, in Multus's format.
type networkStatus struct {
	Name      string    `json:"name"`
	Interface string    `json:"interface,omitempty"`
	IPs       []string  `json:"ips,omitempty"`
	Mac       string    `json:"mac,omitempty"`
	Default   bool      `json:"default,omitempty"`
	DNS       dnsStatus `json:"dns"`
}

// dnsStatus is the DNS part of a network-status element.
type dnsStatus struct {
	Nameservers []string `json:"nameservers,omitempty"`
	Domain      string   `json:"domain,omitempty"`
	Search      []string `json:"search,omitempty"`
	Options     []string `json:"options,omitempty"`
}

// newNetworkStatus describes what the plugins of network n returned. Like
// Multus it keeps the IPs of n's interface inside the pod (and IPs bound to
// no interface), without prefix length.
func newNetworkStatus(n network, res cnitypes.Result) (*networkStatus, error) {
	r, err := current.NewResultFromResult(res)
	if err != nil {
		return nil, fmt.Errorf("convert result of network %q: %w", n.Name, err)
	}
	st := &networkStatus{Name: n.Name, Interface: n.IfName, Default: n.Default, DNS: dnsStatus{
		Nameservers: r.DNS.Nameservers, Domain: r.DNS.Domain, Search: r.DNS.Search, Options: r.DNS.Options,
	}}
	idx := slices.IndexFunc(r.Interfaces, func(i *current.Interface) bool {
		return i.Name == n.IfName && i.Sandbox != ""
	})
	if idx >= 0 {
		st.Mac = r.Interfaces[idx].Mac
	}
	for _, ip := range r.IPs {
		if ip.Interface == nil || *ip.Interface == idx {
			st.IPs = append(st.IPs, ip.Address.IP.String())
		}
	}
	return st, nil
}

// podIPs returns the IPs of the default network, IPv4 first as kubelet
// orders a dual-stack pod's IPs.
func podIPs(sb *sandbox) []string {
	for _, a := range sb.Attachments {
		if a.Default && a.Status != nil {
			ips := slices.Clone(a.Status.IPs)
			slices.SortStableFunc(ips, func(x, y string) int { return ipFamilyRank(x) - ipFamilyRank(y) })
			return ips
		}
	}
	return nil
}

func ipFamilyRank(s string) int {
	if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
		return 0
	}
	return 1
}

// networkStatuses lists the network-status elements of a sandbox, default first.
func networkStatuses(sb *sandbox) []networkStatus {
	var out []networkStatus
	for _, a := range sb.Attachments {
		if a.Status != nil {
			out = append(out, *a.Status)
		}
	}
	return out
}
