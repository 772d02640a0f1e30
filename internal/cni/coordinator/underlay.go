// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/spiderpool-go/spiderpool/internal/cni/detect"
)

// Policy tables of the pod (docs/reference/behaviour.md §8.2).
const (
	// firstTable is the table of the pod's first NIC.
	firstTable = 101
	// underlayTableBase plus the number of UP links is the table of a
	// later NIC in underlay mode.
	underlayTableBase = 98
)

// setup is one ADD: the inputs and what the steps learn on the way.
type setup struct {
	plugin *Plugin
	args   *skel.CmdArgs
	conf   *Config
	podNS  ns.NetNS
	view   *podView

	first    bool
	table    int
	podDev   string // veth0, or eth0 in overlay mode
	nicIPs   []netip.Addr
	hostIPs  []netip.Addr
	hostVeth netlink.Link
	podMAC   net.HardwareAddr
}

// underlay sets up an underlay NIC (docs/reference/behaviour.md §8.4).
// When it fails after making the veth pair, the pair goes again, which
// takes the node's routes and neighbour entries through it along.
func (s *setup) underlay() (err error) {
	s.first, s.podDev = s.args.IfName == s.conf.PodCniNic, PodVeth
	if !s.first && !s.view.hasVeth0 {
		return fmt.Errorf("underlay mode on %s needs %s, which the coordinator makes for %s: list coordinator in the chain of the pod's first network too",
			s.args.IfName, PodVeth, s.conf.PodCniNic)
	}
	s.table = firstTable
	if !s.first {
		s.table = s.view.upLinks + underlayTableBase
	}
	s.nicIPs = addrsOf(s.view.nicAddrs)
	if s.hostIPs, err = hostIPs(s.nicIPs); err != nil {
		return err
	}
	if s.first {
		if err := s.makeVeth(); err != nil {
			return err
		}
		defer func() {
			if err != nil {
				err = errors.Join(err, deleteHostVeths(s.args.ContainerID))
			}
		}()
	} else if err := s.findVeth(); err != nil {
		return err
	}
	if err := s.hostSide(); err != nil {
		return err
	}
	return s.podNS.Do(func(ns.NetNS) error { return s.podSide() })
}

// makeVeth replaces the pod's veth pair (steps 1).
func (s *setup) makeVeth() error {
	hostNS, err := ns.GetCurrentNS()
	if err != nil {
		return fmt.Errorf("open the node netns: %w", err)
	}
	defer func() { _ = hostNS.Close() }()
	if err := deleteHostVeths(s.args.ContainerID); err != nil {
		return err
	}
	name := HostVethName(s.args.ContainerID)
	var pair *vethPair
	if err := s.podNS.Do(func(ns.NetNS) (err error) {
		pair, err = createVeth(hostNS, name, s.conf.VethMTU)
		return err
	}); err != nil {
		return err
	}
	s.podMAC = pair.podMAC
	s.hostVeth, err = setUpHostVeth(name, s.args.ContainerID)
	return err
}

// findVeth finds the pair the first NIC's ADD made.
func (s *setup) findVeth() error {
	var err error
	if s.hostVeth, err = linkByName(HostVethName(s.args.ContainerID)); err != nil {
		return fmt.Errorf("the node side of %s: %w", PodVeth, err)
	}
	return s.podNS.Do(func(ns.NetNS) error {
		veth0, err := linkByName(PodVeth)
		if err == nil {
			s.podMAC = veth0.Attrs().HardwareAddr
		}
		return err
	})
}

// hostSide writes the node's part (steps 6 and 8): neighbour entries for
// the NIC's addresses, the rule to hostRuleTable, and the routes in it.
func (s *setup) hostSide() error {
	if err := setNeighbours(s.hostVeth, s.nicIPs, s.podMAC); err != nil {
		return err
	}
	if err := ensureHostRule(s.conf.HostRuleTable, s.nicIPs); err != nil {
		return err
	}
	return routePodIPs(s.conf.HostRuleTable, s.hostVeth, s.nicIPs)
}

// podSide runs in the pod's netns (steps 1, 3-5, 6, 7, 9-11).
func (s *setup) podSide() error {
	veth0, nic, err := s.podLinks()
	if err != nil {
		return err
	}
	if s.first {
		return s.replyViaVeth(veth0)
	}
	if s.conf.TunePodRoutes {
		return tuneRoutes(nic, s.conf.DefaultRouteNIC, s.table, s.nicIPs)
	}
	return nil
}

// podLinks finds the link to the node and the NIC, and writes what both
// modes share: the NIC's tuning, the neighbour entries of the host IPs
// (first NIC) and the host, hijack and policy routes.
func (s *setup) podLinks() (dev, nic netlink.Link, err error) {
	if dev, err = linkByName(s.podDev); err != nil {
		return nil, nil, err
	}
	if nic, err = linkByName(s.args.IfName); err != nil {
		return nil, nil, err
	}
	if err := s.tuneNIC(dev, nic); err != nil {
		return nil, nil, err
	}
	if s.first {
		if err := addNeighbours(dev, s.hostIPs, s.hostVeth.Attrs().HardwareAddr); err != nil {
			return nil, nil, err
		}
	}
	return dev, nic, replaceRoutes(s.podRoutes(dev))
}

// tuneNIC sets the veth link address, the MAC prefix, txqueuelen and the
// sysctls (steps 1, 3-5).
func (s *setup) tuneNIC(veth0, nic netlink.Link) error {
	if s.first && s.podDev == PodVeth && s.conf.VethLinkAddress.IsValid() && hasFamily(s.nicIPs, true) {
		if err := setVethLinkAddress(veth0, s.conf.VethLinkAddress); err != nil {
			return err
		}
	}
	if s.conf.MACPrefix != nil && len(s.nicIPs) > 0 {
		if _, err := setMACPrefix(nic, s.conf.MACPrefix, s.nicIPs[0]); err != nil {
			return err
		}
		if err := detect.AnnounceHere(s.args.IfName, s.nicIPs, 0); err != nil {
			s.plugin.warn("%v (peers may keep the old MAC until their entries expire)", err)
		}
	}
	if s.conf.TxQueueLen > 0 {
		if err := netlink.LinkSetTxQLen(nic, s.conf.TxQueueLen); err != nil {
			return fmt.Errorf("set txqueuelen %d on %s: %w", s.conf.TxQueueLen, s.args.IfName, err)
		}
	}
	return setSysctls(s.args.IfName, s.nicIPs, s.conf.RPFilter)
}

// podRoutes are the host routes, the hijack routes and the policy routes
// of the NIC's table, and of main for the first NIC (steps 7, 9), through
// dev (veth0, or eth0 in overlay mode).
func (s *setup) podRoutes(dev netlink.Link) []*netlink.Route {
	tables := []int{s.table}
	if s.first {
		tables = append(tables, unix.RT_TABLE_MAIN)
	}
	var routes []*netlink.Route
	for _, t := range tables {
		for _, ip := range s.hostIPs {
			routes = append(routes, podHostRoute(dev, ip, t))
		}
	}
	target := s.table
	if s.first {
		target = unix.RT_TABLE_MAIN
	}
	routes = append(routes, hijackRoutes(dev, s.conf.HijackCIDRs(), s.hostIPs, target)...)
	return append(routes, policyRoutes(s.conf.PolicyRoutes, target)...)
}

// replyViaVeth makes replies to connections that came in through veth0
// leave through it (step 10): the mark rules, "fwmark 0x1 lookup 100" and
// table 100's default route via the host IP.
func (s *setup) replyViaVeth(veth0 netlink.Link) error {
	if err := installMarkRules(int(s.podNS.Fd())); err != nil { //nolint:gosec // a file descriptor fits in an int
		return err
	}
	var routes []*netlink.Route
	for _, fam := range families(s.hostIPs) {
		if err := ensureMarkRule(fam); err != nil {
			return err
		}
	}
	for _, ip := range s.hostIPs {
		routes = append(routes, podHostRoute(veth0, ip, ReplyTable))
	}
	for _, fam := range []bool{true, false} {
		if gw, ok := firstOfFamily(s.hostIPs, v4Or6(fam)); ok {
			routes = append(routes, &netlink.Route{Dst: defaultDst(gw), Gw: gw.AsSlice(), LinkIndex: veth0.Attrs().Index, Table: ReplyTable})
		}
	}
	return replaceRoutes(routes)
}

// ensureMarkRule adds "fwmark 0x1 lookup 100 priority 1000" unless there.
func ensureMarkRule(fam int) error {
	rule := netlink.NewRule()
	rule.Family, rule.Table, rule.Priority, rule.Mark = fam, ReplyTable, hostRulePriority, ReplyMark
	if err := netlink.RuleAdd(rule); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("rule fwmark %#x lookup %d in the pod: %w", ReplyMark, ReplyTable, err)
	}
	return nil
}

// v4Or6 is a sample address of a family, for firstOfFamily.
func v4Or6(v4 bool) netip.Addr {
	if v4 {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}

// defaultDst is 0.0.0.0/0 or ::/0.
func defaultDst(like netip.Addr) *net.IPNet {
	return ipNet(netip.PrefixFrom(v4Or6(like.Is4()), 0))
}
