// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator_test

import (
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/google/nftables"
	"github.com/vishvananda/netlink"
)

// snapshot is a netns's state as lines such as
// "route 10.96.0.0/12 via 10.6.0.1 dev veth0 table 254", for assertions.
type snapshot struct {
	lines []string
	links map[string]netlink.Link
}

func (s *snapshot) has(line string) bool { return slices.Contains(s.lines, line) }

// want fails for every line that is missing.
func (s *snapshot) want(t *testing.T, where string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !s.has(l) {
			t.Errorf("%s lacks %q; it has:\n  %s", where, l, strings.Join(s.lines, "\n  "))
		}
	}
}

// wantNone fails for every line containing one of subs.
func (s *snapshot) wantNone(t *testing.T, where string, subs ...string) {
	t.Helper()
	for _, l := range s.lines {
		for _, sub := range subs {
			if strings.Contains(l, sub) {
				t.Errorf("%s still has %q", where, l)
			}
		}
	}
}

// take reads links, addresses, routes of every table, rules, permanent
// neighbours, nftables tables and two sysctls inside n.
func take(t *testing.T, n ns.NetNS) *snapshot {
	t.Helper()
	s := &snapshot{links: map[string]netlink.Link{}}
	err := n.Do(func(ns.NetNS) error { return s.read() })
	if err != nil {
		t.Fatalf("snapshot of %s: %v", n.Path(), err)
	}
	c, err := nftables.New(nftables.WithNetNSFd(int(n.Fd())))
	if err != nil {
		t.Fatal(err)
	}
	chains, err := c.ListChains()
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range chains {
		rules, err := c.GetRules(ch.Table, ch)
		if err != nil {
			t.Fatal(err)
		}
		s.lines = append(s.lines, fmt.Sprintf("nft %d %s %s rules %d", ch.Table.Family, ch.Table.Name, ch.Name, len(rules)))
	}
	return s
}

func (s *snapshot) read() error {
	links, err := netlinksafe.LinkList()
	if err != nil {
		return err
	}
	names := map[int]string{}
	for _, l := range links {
		a := l.Attrs()
		names[a.Index] = a.Name
		s.links[a.Name] = l
		s.lines = append(s.lines, fmt.Sprintf("link %s %s mtu %d txqlen %d alias %q", a.Name, l.Type(), a.MTU, a.TxQLen, a.Alias))
		addrs, err := netlinksafe.AddrList(l, netlink.FAMILY_ALL)
		if err != nil {
			return err
		}
		for _, ad := range addrs {
			s.lines = append(s.lines, fmt.Sprintf("addr %s dev %s", ad.IPNet, a.Name))
		}
	}
	routes, err := netlinksafe.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{Table: 0}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return err
	}
	for _, r := range routes {
		if r.Table == 255 { // local
			continue
		}
		dst := "default"
		if r.Dst != nil && !isDefaultDst(r.Dst) {
			dst = r.Dst.String()
		}
		line := "route " + dst
		if r.Gw != nil {
			line += " via " + r.Gw.String()
		}
		s.lines = append(s.lines, fmt.Sprintf("%s dev %s table %d", line, names[r.LinkIndex], r.Table))
	}
	for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		rules, err := netlinksafe.RuleList(fam)
		if err != nil {
			return err
		}
		for _, r := range rules {
			line := fmt.Sprintf("rule %d", r.Priority)
			if r.Src != nil {
				line += " from " + r.Src.String()
			}
			if r.Mark != 0 {
				line += fmt.Sprintf(" fwmark %#x", r.Mark)
			}
			s.lines = append(s.lines, fmt.Sprintf("%s lookup %d", line, r.Table))
		}
		neighs, err := netlink.NeighList(0, fam)
		if err != nil {
			return err
		}
		for _, nb := range neighs {
			if nb.State&netlink.NUD_PERMANENT != 0 {
				s.lines = append(s.lines, fmt.Sprintf("neigh %s lladdr %s dev %s", nb.IP, nb.HardwareAddr, names[nb.LinkIndex]))
			}
		}
	}
	for _, key := range []string{"net/ipv4/conf/all/rp_filter", "net/ipv6/conf/all/disable_ipv6"} {
		v, err := os.ReadFile("/proc/sys/" + key)
		if err != nil {
			return err
		}
		s.lines = append(s.lines, fmt.Sprintf("sysctl %s=%s", key, strings.TrimSpace(string(v))))
	}
	return nil
}

// mac is the MAC of a link in the snapshot.
func (s *snapshot) mac(t *testing.T, link string) string {
	t.Helper()
	l, ok := s.links[link]
	if !ok {
		t.Fatalf("no link %s", link)
	}
	return l.Attrs().HardwareAddr.String()
}

func isDefaultDst(n *net.IPNet) bool {
	ones, _ := n.Mask.Size()
	return ones == 0 && n.IP.IsUnspecified()
}
