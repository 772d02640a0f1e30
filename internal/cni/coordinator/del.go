// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Del serves CNI DEL. It needs neither the agent nor the pod object.
//
// DEL of the pod's first NIC, or any DEL once the pod's netns is gone,
// deletes the node side of the pod's veth pair, found by the container ID
// (its name, or the ID recorded in its alias); that takes veth0, the
// node's routes through it and its neighbour entries along (Spiderpool
// skipped all of it once the netns was gone, issue #5735). DEL of an
// extra NIC while the pod lives removes only the node's routes (any
// table but main and local) and neighbour entries of that NIC's
// addresses, taken from prevResult and from the NIC, so that the first
// NIC keeps its pair.
//
// DEL is idempotent, and a configuration that does not load is reported
// on stderr, not returned: the runtime would retry DEL of a pod that can
// never be set up forever.
func (p *Plugin) Del(args *skel.CmdArgs) error {
	nc, err := loadNetConf(args.StdinData, false)
	first := DefaultPodCniNic
	switch {
	case err != nil:
		p.warn("DEL of %s: %v; cleaning up the node side anyway", args.ContainerID, err)
	case nc.Mode == ModeDisabled || nc.Mode == ModeDisable:
		return nil
	case nc.PodDefaultCniNic != "":
		first = nc.PodDefaultCniNic
	}
	if args.IfName != first && args.Netns != "" {
		if addrs, ok := p.extraNICAddrs(args, nc); ok {
			return toCNI(forgetPodIPs(addrs))
		}
	}
	return toCNI(deleteHostVeths(args.ContainerID))
}

func toCNI(err error) error {
	if err != nil {
		return types.NewError(types.ErrInternal, err.Error(), "")
	}
	return nil
}

// extraNICAddrs are the addresses of an extra NIC: prevResult's for it
// and those on it. ok is false when the pod's netns cannot be entered
// (it is going): then the whole pair goes.
func (p *Plugin) extraNICAddrs(args *skel.CmdArgs, nc *NetConf) ([]netip.Addr, bool) {
	podNS, err := ns.GetNS(args.Netns)
	if err != nil {
		return nil, false
	}
	defer func() { _ = podNS.Close() }()
	addrs := prevResultAddrs(nc, args.IfName)
	err = podNS.Do(func(ns.NetNS) error {
		link, err := netlinksafe.LinkByName(args.IfName)
		if err != nil {
			return nil // macvlan's DEL may have run: prevResult has the addresses
		}
		onLink, err := globalAddrs(link)
		for _, a := range addrsOf(onLink) {
			if !containsAddr(addrs, a) {
				addrs = append(addrs, a)
			}
		}
		return err
	})
	if err != nil {
		p.warn("DEL of %s %s: %v", args.ContainerID, args.IfName, err)
	}
	return addrs, true
}

// prevResultAddrs are the addresses prevResult gives ifName.
func prevResultAddrs(nc *NetConf, ifName string) []netip.Addr {
	if nc == nil || nc.PrevResult == nil {
		return nil
	}
	res, err := types100.NewResultFromResult(nc.PrevResult)
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, ip := range res.IPs {
		if ip.Interface != nil && (*ip.Interface < 0 || *ip.Interface >= len(res.Interfaces) || res.Interfaces[*ip.Interface].Name != ifName) {
			continue
		}
		if a, ok := netip.AddrFromSlice(ip.Address.IP); ok {
			out = append(out, a.Unmap())
		}
	}
	return out
}

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, b := range list {
		if a == b {
			return true
		}
	}
	return false
}

// forgetPodIPs runs in the node's netns: it deletes the node's /32 and
// /128 routes to addrs in every table but main and local, and its
// neighbour entries for them.
func forgetPodIPs(addrs []netip.Addr) error {
	var errs []error
	for _, a := range addrs {
		routes, err := netlinksafe.RouteListFiltered(family(a), &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return fmt.Errorf("list the node's routes: %w", err)
		}
		for _, r := range routes {
			if r.Table == unix.RT_TABLE_MAIN || r.Table == unix.RT_TABLE_LOCAL || r.Dst == nil || r.Dst.String() != hostPrefix(a).String() {
				continue
			}
			if err := netlink.RouteDel(&r); err != nil && !errors.Is(err, unix.ESRCH) {
				errs = append(errs, fmt.Errorf("delete the node's route %s: %w", r, err))
			}
		}
		if err := deleteNeighbours(a); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
