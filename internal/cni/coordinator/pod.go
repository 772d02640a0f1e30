// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/vishvananda/netlink"
)

// PodVeth is the pod side of the veth pair to the node (underlay mode).
const PodVeth = "veth0"

// podView is what ADD reads in the pod before it changes anything.
type podView struct {
	// nicAddrs are the global addresses of the NIC being set up,
	// including IPv6 SLAAC addresses already there.
	nicAddrs []netip.Prefix
	// hasVeth0 says an earlier call made the veth pair.
	hasVeth0 bool
	// upLinks counts the links that are UP, broadcast and multicast (lo
	// and tunnels are not): Spiderpool's count for the table number.
	upLinks int
}

// readPod runs in the pod's netns: it sets ifName UP and reads the view.
func readPod(ifName string) (*podView, error) {
	nic, err := netlinksafe.LinkByName(ifName)
	if err != nil {
		return nil, fmt.Errorf("find %s in the pod: %w", ifName, err)
	}
	if err := netlink.LinkSetUp(nic); err != nil {
		return nil, fmt.Errorf("set %s up: %w", ifName, err)
	}
	v := &podView{}
	if v.nicAddrs, err = globalAddrs(nic); err != nil {
		return nil, err
	}
	links, err := netlinksafe.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list the pod's links: %w", err)
	}
	for _, l := range links {
		a := l.Attrs()
		if a.Name == PodVeth {
			v.hasVeth0 = true
		}
		const want = net.FlagUp | net.FlagBroadcast | net.FlagMulticast
		if a.Flags&want == want {
			v.upLinks++
		}
	}
	return v, nil
}

// globalAddrs lists a link's global unicast addresses, IPv4 first.
func globalAddrs(l netlink.Link) ([]netip.Prefix, error) {
	addrs, err := netlinksafe.AddrList(l, netlink.FAMILY_ALL)
	if err != nil {
		return nil, fmt.Errorf("addresses of %s: %w", l.Attrs().Name, err)
	}
	var v4, v6 []netip.Prefix
	for _, a := range addrs {
		p, ok := toPrefix(a.IPNet)
		if !ok || !p.Addr().IsGlobalUnicast() {
			continue
		}
		if p.Addr().Is4() {
			v4 = append(v4, p)
		} else {
			v6 = append(v6, p)
		}
	}
	return append(v4, v6...), nil
}

// toPrefix converts a netlink address, unmapping IPv4.
func toPrefix(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	a = a.Unmap()
	if a.Is4() && ones > 32 {
		ones -= 96
	}
	return netip.PrefixFrom(a, ones), true
}

// hostPrefix is addr as a /32 or /128 net.IPNet.
func hostPrefix(a netip.Addr) *net.IPNet {
	return &net.IPNet{IP: a.AsSlice(), Mask: net.CIDRMask(a.BitLen(), a.BitLen())}
}

// ipNet converts a prefix.
func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// family is netlink's family of an address.
func family(a netip.Addr) int {
	if a.Is4() {
		return netlink.FAMILY_V4
	}
	return netlink.FAMILY_V6
}

// addrsOf strips the prefix lengths.
func addrsOf(ps []netip.Prefix) []netip.Addr {
	out := make([]netip.Addr, len(ps))
	for i, p := range ps {
		out[i] = p.Addr()
	}
	return out
}

// hasFamily reports whether one of addrs is IPv4 (v4) or IPv6 (!v4).
func hasFamily(addrs []netip.Addr, v4 bool) bool {
	for _, a := range addrs {
		if a.Is4() == v4 {
			return true
		}
	}
	return false
}

// firstOfFamily returns the first address of the family of like.
func firstOfFamily(addrs []netip.Addr, like netip.Addr) (netip.Addr, bool) {
	for _, a := range addrs {
		if a.Is4() == like.Is4() {
			return a, true
		}
	}
	return netip.Addr{}, false
}
