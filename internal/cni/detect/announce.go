// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package detect

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/mdlayher/ethernet"
	"github.com/mdlayher/ndp"
	"golang.org/x/sys/unix"
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
	return inNetNS(netnsPath, func() error { return AnnounceHere(ifName, addrs, linkLocalWait) })
}

// AnnounceHere is Announce in the current network namespace (the
// coordinator runs inside the pod's already).
func AnnounceHere(ifName string, addrs []netip.Addr, linkLocalWait time.Duration) error {
	v4, v6 := split(targetsOf(addrs), func(Target) bool { return true })
	var errs []error
	if len(v4) > 0 {
		errs = append(errs, announceIPv4(ifName, v4))
	}
	if len(v6) > 0 {
		errs = append(errs, announceIPv6(ifName, v6, linkLocalWait))
	}
	return errors.Join(errs...)
}

func targetsOf(addrs []netip.Addr) []Target {
	out := make([]Target, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, Target{IP: a.Unmap()})
	}
	return out
}

// announceIPv4 sends the gratuitous ARPs from a send-only AF_PACKET
// socket (protocol 0: nothing is queued to it), used with plain blocking
// system calls: the close of any AF_PACKET socket waits for a kernel RCU
// grace period (about 10 ms), and a socket in the runtime's poller would
// make the plugin spend CPU on that wait (docs/benchmarks.md).
func announceIPv4(ifName string, targets []Target) error {
	ifi, err := iface(ifName)
	if err != nil {
		return err
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open a socket for gratuitous ARP on %s: %w", ifName, err)
	}
	defer func() { _ = unix.Close(fd) }()
	to := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: ifi.Index, Halen: 6}
	copy(to.Addr[:], ethernet.Broadcast)
	var errs []error
	for _, t := range targets {
		frame, err := arpFrame(ifi.HardwareAddr, t.IP, t.IP, zeroMAC)
		if err == nil {
			err = unix.Sendto(fd, frame, 0, to)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("gratuitous ARP for %s on %s: %w", t.IP, ifName, err))
		}
	}
	return errors.Join(errs...)
}

// htons converts a 16-bit value to network byte order.
func htons(v uint16) uint16 { return v<<8 | v>>8 }

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
