// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"errors"
	"fmt"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// overlayTableBase plus the number of UP links is the table of a later
// extra NIC in overlay mode.
const overlayTableBase = 99

// overlay sets up an extra NIC beside an overlay eth0 from Calico or
// Cilium (docs/reference/behaviour.md §8.5): the pod reaches the node
// through eth0 and its veth peer, no veth0 is made and no packets are
// marked; route tuning always runs.
func (s *setup) overlay() error {
	switch {
	case s.args.IfName == s.conf.PodCniNic:
		return fmt.Errorf("overlay mode sets up an extra NIC, and %s is the pod's first NIC: use underlay or auto for it", s.args.IfName)
	case s.view.hasVeth0:
		return fmt.Errorf("overlay mode on %s, but the pod has %s from underlay mode: use underlay or auto", s.args.IfName, PodVeth)
	}
	s.podDev = s.conf.PodCniNic
	s.first = s.view.upLinks == 2 // the overlay NIC and this one
	s.table = firstTable
	if !s.first {
		s.table = s.view.upLinks + overlayTableBase
	}
	s.nicIPs = addrsOf(s.view.nicAddrs)
	var err error
	if s.hostIPs, err = hostIPs(s.nicIPs); err != nil {
		return err
	}
	if err := s.findPeer(); err != nil {
		return err
	}
	if err := s.hostSide(); err != nil {
		return err
	}
	return s.podNS.Do(func(ns.NetNS) error { return s.podSideOverlay() })
}

// findPeer finds the node side of the pod's overlay eth0 by its veth peer
// index.
func (s *setup) findPeer() error {
	var peer int
	err := s.podNS.Do(func(ns.NetNS) error {
		link, err := linkByName(s.podDev)
		if err != nil {
			return err
		}
		veth, ok := link.(*netlink.Veth)
		if !ok {
			return fmt.Errorf("overlay mode needs %s to be a veth to the node, and it is a %s: use underlay mode", s.podDev, link.Type())
		}
		s.podMAC = link.Attrs().HardwareAddr
		if peer, err = netlink.VethPeerIndex(veth); err != nil {
			return fmt.Errorf("the node side of %s: %w", s.podDev, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	links, err := netlinksafe.LinkList()
	if err != nil {
		return fmt.Errorf("list the node's links: %w", err)
	}
	for _, l := range links {
		if l.Attrs().Index == peer {
			s.hostVeth = l
			return nil
		}
	}
	return fmt.Errorf("the node side of %s (ifindex %d) is not in the node's netns", s.podDev, peer)
}

// podSideOverlay runs in the pod's netns. On the first extra NIC, replies
// to what came in on eth0 leave through eth0: "from <eth0 IPs> lookup
// 100" with a copy of eth0's default route in table 100.
func (s *setup) podSideOverlay() error {
	dev, nic, err := s.podLinks()
	if err != nil {
		return err
	}
	if s.first {
		if err := replyViaOverlay(dev); err != nil {
			return err
		}
	}
	return tuneRoutes(nic, s.conf.DefaultRouteNIC, s.table, s.nicIPs)
}

// replyViaOverlay adds the eth0 rules and copies its default routes into
// table 100, leaving main as it is.
func replyViaOverlay(dev netlink.Link) error {
	addrs, err := globalAddrs(dev)
	if err != nil {
		return err
	}
	if err := addFromRules(addrsOf(addrs), ReplyTable); err != nil {
		return err
	}
	routes, err := mainRoutes()
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range routes {
		if !isDefault(&r) || !usesLink(&r, dev.Attrs().Index) {
			continue
		}
		for _, single := range split(r, dev.Attrs().Index) {
			single.Table = ReplyTable
			if err := netlink.RouteReplace(&single); err != nil && !errors.Is(err, unix.EEXIST) {
				errs = append(errs, fmt.Errorf("copy %s's default route to table %d: %w", dev.Attrs().Name, ReplyTable, err))
			}
		}
	}
	return errors.Join(errs...)
}
