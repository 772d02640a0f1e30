// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package detect

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/mdlayher/ndp"
)

// Announce sends, from ifName inside the network namespace at netnsPath,
// a gratuitous ARP (sender = target = the address) for each IPv4 address
// and an unsolicited, overriding Neighbor Advertisement to all nodes for
// each IPv6 one, so that peers replace a stale MAC. IPv6 waits up to
// linkLocalWait for the link-local address to leave DAD; with 0 no NA is
// sent while that address is tentative (the kernel still runs DAD for the
// address once it is configured, and sends an unsolicited NA itself where
// net.ipv6.conf.*.ndisc_notify is set). Callers log the error and go on
// (docs/reference/behaviour.md §7.4).
func Announce(netnsPath, ifName string, addrs []netip.Addr, linkLocalWait time.Duration) error {
	v4, v6 := split(targetsOf(addrs), func(Target) bool { return true })
	return inNetNS(netnsPath, func() error {
		var errs []error
		if len(v4) > 0 {
			errs = append(errs, announceIPv4(ifName, v4))
		}
		if len(v6) > 0 {
			errs = append(errs, announceIPv6(ifName, v6, linkLocalWait))
		}
		return errors.Join(errs...)
	})
}

func targetsOf(addrs []netip.Addr) []Target {
	out := make([]Target, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, Target{IP: a.Unmap()})
	}
	return out
}

func announceIPv4(ifName string, targets []Target) error {
	c, err := dialARP(ifName)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	var errs []error
	for _, t := range targets {
		errs = append(errs, c.send(t.IP, t.IP, zeroMAC))
	}
	return errors.Join(errs...)
}

func announceIPv6(ifName string, targets []Target, wait time.Duration) error {
	if wait <= 0 && !linkLocalReadyNow(ifName) {
		return nil
	}
	c, err := dialNDP(ifName, wait)
	if err != nil {
		return fmt.Errorf("no unsolicited Neighbor Advertisement: %w", err)
	}
	defer func() { _ = c.Close() }()
	var errs []error
	for _, t := range targets {
		na := &ndp.NeighborAdvertisement{Override: true, TargetAddress: t.IP, Options: []ndp.Option{
			&ndp.LinkLayerAddress{Direction: ndp.Target, Addr: c.ifi.HardwareAddr},
		}}
		err := c.conn.SetWriteDeadline(time.Now().Add(time.Second))
		if err == nil {
			err = c.conn.WriteTo(na, nil, netip.IPv6LinkLocalAllNodes())
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("unsolicited Neighbor Advertisement for %s on %s: %w", t.IP, ifName, err))
		}
	}
	return errors.Join(errs...)
}
