// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package detect

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/mdlayher/ndp"
	"github.com/vishvananda/netlink"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// linkLocalPoll is how often the link-local address is looked at while
// it is tentative.
const linkLocalPoll = 20 * time.Millisecond

// ndpConn speaks NDP from the interface's link-local address.
type ndpConn struct {
	ifi  *net.Interface
	conn *ndp.Conn
}

// dialNDP waits up to wait for a usable link-local address on ifName and
// listens on it for Neighbor Advertisements only.
func dialNDP(ifName string, wait time.Duration) (*ndpConn, error) {
	ifi, err := iface(ifName)
	if err != nil {
		return nil, err
	}
	if err := waitLinkLocal(ifName, wait); err != nil {
		return nil, err
	}
	c, _, err := ndp.Listen(ifi, ndp.LinkLocal)
	if err != nil {
		return nil, fmt.Errorf("open an NDP socket on %s: %w", ifName, err)
	}
	var f ipv6.ICMPFilter
	f.SetAll(true)
	f.Accept(ipv6.ICMPTypeNeighborAdvertisement)
	if err := c.SetICMPFilter(&f); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("filter NDP on %s: %w", ifName, err)
	}
	return &ndpConn{ifi: ifi, conn: c}, nil
}

func (c *ndpConn) Close() error { return c.conn.Close() }

// waitLinkLocal returns once ifName has a link-local address that is no
// longer tentative, or an error after wait.
func waitLinkLocal(ifName string, wait time.Duration) error {
	link, err := netlinksafe.LinkByName(ifName)
	if err != nil {
		return fmt.Errorf("find interface %s: %w", ifName, err)
	}
	deadline := time.Now().Add(wait)
	for {
		ready, err := linkLocalReady(link)
		if ready || err != nil {
			return err
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("the IPv6 link-local address of %s is still tentative (or missing) after %s: is IPv6 enabled on the interface?", ifName, wait)
		}
		time.Sleep(linkLocalPoll)
	}
}

// linkLocalReadyNow reports whether ifName has a usable link-local address.
func linkLocalReadyNow(ifName string) bool {
	link, err := netlinksafe.LinkByName(ifName)
	if err != nil {
		return false
	}
	ready, err := linkLocalReady(link)
	return ready && err == nil
}

func linkLocalReady(link netlink.Link) (bool, error) {
	addrs, err := netlinksafe.AddrList(link, netlink.FAMILY_V6)
	if err != nil {
		return false, fmt.Errorf("list the IPv6 addresses of %s: %w", link.Attrs().Name, err)
	}
	for _, a := range addrs {
		if !a.IP.IsLinkLocalUnicast() {
			continue
		}
		if a.Flags&unix.IFA_F_DADFAILED != 0 {
			return false, fmt.Errorf("the IPv6 link-local address %s of %s failed DAD", a.IP, link.Attrs().Name)
		}
		if a.Flags&unix.IFA_F_TENTATIVE == 0 {
			return true, nil
		}
	}
	return false, nil
}

// send solicits target at its solicited-node multicast address, with our
// link-layer address. The source is the link-local address (sender is
// not on the interface yet).
func (c *ndpConn) send(_, target netip.Addr, _ net.HardwareAddr) error {
	dst, err := ndp.SolicitedNodeMulticast(target)
	if err != nil {
		return err
	}
	ns := &ndp.NeighborSolicitation{TargetAddress: target, Options: []ndp.Option{
		&ndp.LinkLayerAddress{Direction: ndp.Source, Addr: c.ifi.HardwareAddr},
	}}
	if err := c.conn.SetWriteDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	if err := c.conn.WriteTo(ns, nil, dst); err != nil {
		return fmt.Errorf("send a Neighbor Solicitation for %s on %s: %w", target, c.ifi.Name, err)
	}
	return nil
}

// answerFrom reads until the deadline and returns the link-layer address
// of a Neighbor Advertisement for from (an empty, non-nil one when the
// advertisement carries none); nil after a quiet deadline.
func (c *ndpConn) answerFrom(from netip.Addr, until time.Time) (net.HardwareAddr, error) {
	if err := c.conn.SetReadDeadline(until); err != nil {
		return nil, err
	}
	for {
		msg, _, _, err := c.conn.ReadFrom()
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			return nil, nil
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil && !time.Now().Before(until):
			return nil, nil
		case err != nil: // an unparsable message: read on
			continue
		}
		if na, ok := msg.(*ndp.NeighborAdvertisement); ok && na.TargetAddress == from {
			return targetMAC(na), nil
		}
	}
}

func targetMAC(na *ndp.NeighborAdvertisement) net.HardwareAddr {
	for _, o := range na.Options {
		if lla, ok := o.(*ndp.LinkLayerAddress); ok && lla.Direction == ndp.Target {
			return lla.Addr
		}
	}
	return net.HardwareAddr{}
}

// checkIPv6 solicits each target for a conflict, then each gateway.
func checkIPv6(ifName string, targets []Target, t Timing) error {
	c, err := dialNDP(ifName, t.LinkLocalWait)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	watchdog := time.Now().Add(t.Watchdog)
	for _, tg := range targets {
		if !tg.Conflict {
			continue
		}
		mac, err := probe(t, watchdog,
			func() error { return c.send(tg.IP, tg.IP, nil) },
			func(until time.Time) (net.HardwareAddr, error) { return c.answerFrom(tg.IP, until) })
		if err != nil {
			return fmt.Errorf("detect an IPv6 conflict for %s on %s: %w", tg.IP, ifName, err)
		}
		if mac != nil {
			return &ConflictError{IfName: ifName, IP: tg.IP, MAC: mac}
		}
	}
	return checkGateways(targets, t, watchdog, c.send, c.answerFrom, ifName)
}
