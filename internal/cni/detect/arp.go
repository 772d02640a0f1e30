// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package detect

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/ethernet"
	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"
)

// zeroMAC is the target hardware address of a probe (RFC 5227).
var zeroMAC = net.HardwareAddr{0, 0, 0, 0, 0, 0}

// arpConn is an AF_PACKET socket for ARP on one interface; it needs no
// IPv4 address on the interface.
type arpConn struct {
	ifi  *net.Interface
	conn *packet.Conn
	buf  []byte
}

func dialARP(ifName string) (*arpConn, error) {
	ifi, err := iface(ifName)
	if err != nil {
		return nil, err
	}
	c, err := packet.Listen(ifi, packet.Raw, int(ethernet.EtherTypeARP), nil)
	if err != nil {
		return nil, fmt.Errorf("open an ARP socket on %s: %w", ifName, err)
	}
	return &arpConn{ifi: ifi, conn: c, buf: make([]byte, 128)}, nil
}

func (c *arpConn) Close() error { return c.conn.Close() }

// arpFrame is a broadcast Ethernet frame of an ARP request from mac and
// sender for target.
func arpFrame(mac net.HardwareAddr, sender, target netip.Addr, targetMAC net.HardwareAddr) ([]byte, error) {
	p, err := arp.NewPacket(arp.OperationRequest, mac, sender, targetMAC, target)
	if err != nil {
		return nil, fmt.Errorf("build an ARP request for %s: %w", target, err)
	}
	payload, err := p.MarshalBinary()
	if err != nil {
		return nil, err
	}
	f := &ethernet.Frame{Destination: ethernet.Broadcast, Source: mac, EtherType: ethernet.EtherTypeARP, Payload: payload}
	return f.MarshalBinary()
}

// send broadcasts an ARP request from sender for target.
func (c *arpConn) send(sender, target netip.Addr, targetMAC net.HardwareAddr) error {
	frame, err := arpFrame(c.ifi.HardwareAddr, sender, target, targetMAC)
	if err != nil {
		return err
	}
	if err := c.conn.SetWriteDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	if _, err := c.conn.WriteTo(frame, &packet.Addr{HardwareAddr: ethernet.Broadcast}); err != nil {
		return fmt.Errorf("send an ARP request for %s on %s: %w", target, c.ifi.Name, err)
	}
	return nil
}

// answerFrom reads until the deadline and returns the MAC of another host
// that sent ARP as from; nil after a quiet deadline. Interrupted reads and
// packets that are not ARP are read past.
func (c *arpConn) answerFrom(from netip.Addr, until time.Time) (net.HardwareAddr, error) {
	if err := c.conn.SetReadDeadline(until); err != nil {
		return nil, err
	}
	for {
		n, _, err := c.conn.ReadFrom(c.buf)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			return nil, nil
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return nil, fmt.Errorf("read ARP on %s: %w", c.ifi.Name, err)
		}
		if mac := c.match(c.buf[:n], from); mac != nil {
			return mac, nil
		}
	}
}

// match returns the sender MAC of an ARP frame sent as from by another
// host.
func (c *arpConn) match(frame []byte, from netip.Addr) net.HardwareAddr {
	var f ethernet.Frame
	var p arp.Packet
	if f.UnmarshalBinary(frame) != nil || f.EtherType != ethernet.EtherTypeARP || p.UnmarshalBinary(f.Payload) != nil {
		return nil
	}
	if p.SenderIP != from || bytes.Equal(p.SenderHardwareAddr, c.ifi.HardwareAddr) {
		return nil
	}
	return p.SenderHardwareAddr
}

// checkIPv4 probes each target for a conflict, then each gateway.
func checkIPv4(ifName string, targets []Target, t Timing) error {
	c, err := dialARP(ifName)
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
			func() error { return c.send(netip.IPv4Unspecified(), tg.IP, zeroMAC) },
			func(until time.Time) (net.HardwareAddr, error) { return c.answerFrom(tg.IP, until) })
		if err != nil {
			return fmt.Errorf("detect an IPv4 conflict for %s on %s: %w", tg.IP, ifName, err)
		}
		if mac != nil {
			return &ConflictError{IfName: ifName, IP: tg.IP, MAC: mac}
		}
	}
	return checkGateways(targets, t, watchdog, c.send, c.answerFrom, ifName)
}

// checkGateways asks each target's gateway, from the target's address.
func checkGateways(targets []Target, t Timing, watchdog time.Time,
	send func(sender, target netip.Addr, mac net.HardwareAddr) error,
	answerFrom func(from netip.Addr, until time.Time) (net.HardwareAddr, error), ifName string,
) error {
	for _, tg := range targets {
		if !tg.GatewayCheck || !tg.Gateway.IsValid() {
			continue
		}
		mac, err := probe(t, watchdog,
			func() error { return send(tg.IP, tg.Gateway, zeroMAC) },
			func(until time.Time) (net.HardwareAddr, error) { return answerFrom(tg.Gateway, until) })
		if err != nil {
			return fmt.Errorf("check gateway %s on %s: %w", tg.Gateway, ifName, err)
		}
		if mac == nil {
			return &GatewayError{Gateway: tg.Gateway}
		}
	}
	return nil
}
