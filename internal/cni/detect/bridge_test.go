// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package detect_test

import (
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/mdlayher/ethernet"
	"github.com/mdlayher/packet"
	"github.com/vishvananda/netlink"

	"github.com/spiderpool-go/spiderpool/test/utils"
)

// lan is a bridge in a namespace of its own with one veth port per
// attached namespace; each attached namespace names its end.
type lan struct {
	t      *testing.T
	bridge ns.NetNS
	ports  int
}

func newLAN(t *testing.T) *lan {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("netns tests need root")
	}
	l := &lan{t: t, bridge: utils.NewNS(t)}
	l.do(l.bridge, func() error {
		br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "br0"}, MulticastSnooping: ptr(false)}
		if err := netlink.LinkAdd(br); err != nil {
			return err
		}
		return netlink.LinkSetUp(br)
	})
	return l
}

func ptr[T any](v T) *T { return &v }

func (l *lan) do(n ns.NetNS, fn func() error) {
	l.t.Helper()
	if err := n.Do(func(ns.NetNS) error { return fn() }); err != nil {
		l.t.Fatal(err)
	}
}

// attach creates a namespace on the bridge with ifName UP and the given
// addresses (IPv6 ones without DAD), and returns it with ifName's MAC.
// Tests give their pods names no other test uses: the net package caches
// IPv6 zone names of the first namespace it saw for a minute.
func (l *lan) attach(ifName string, addrs ...string) (ns.NetNS, net.HardwareAddr) {
	l.t.Helper()
	n := utils.NewNS(l.t)
	l.ports++
	port, peer := "port"+string(rune('a'+l.ports)), "tmp"+string(rune('a'+l.ports))
	l.do(l.bridge, func() error {
		veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: port, MasterIndex: mustIndex("br0")}, PeerName: peer}
		if err := netlink.LinkAdd(veth); err != nil {
			return err
		}
		if err := netlink.LinkSetUp(veth); err != nil {
			return err
		}
		p, err := netlinksafe.LinkByName(peer)
		if err != nil {
			return err
		}
		return netlink.LinkSetNsFd(p, int(n.Fd()))
	})
	var mac net.HardwareAddr
	l.do(n, func() error {
		p, err := netlinksafe.LinkByName(peer)
		if err != nil {
			return err
		}
		if err := netlink.LinkSetName(p, ifName); err != nil {
			return err
		}
		for _, a := range addrs {
			addr, err := netlink.ParseAddr(a)
			if err != nil {
				return err
			}
			addr.Flags = 0x2 // IFA_F_NODAD, for IPv6
			if err := netlink.AddrAdd(p, addr); err != nil {
				return err
			}
		}
		mac = p.Attrs().HardwareAddr
		return netlink.LinkSetUp(p)
	})
	return n, mac
}

func mustIndex(name string) int {
	l, err := netlinksafe.LinkByName(name)
	if err != nil {
		panic(err)
	}
	return l.Attrs().Index
}

// capture records every frame "peer" of n receives until stop is called.
type capture struct {
	conn   *packet.Conn
	mu     sync.Mutex
	frames []ethernet.Frame
	done   chan struct{}
}

func (l *lan) capture(n ns.NetNS) *capture {
	l.t.Helper()
	c := &capture{done: make(chan struct{})}
	l.do(n, func() error {
		ifi, err := net.InterfaceByName("peer")
		if err != nil {
			return err
		}
		c.conn, err = packet.Listen(ifi, packet.Raw, 0x0003 /* ETH_P_ALL */, nil)
		return err
	})
	go c.run()
	l.t.Cleanup(func() { c.stop() })
	return c
}

func (c *capture) run() {
	defer close(c.done)
	buf := make([]byte, 2048)
	for {
		n, _, err := c.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		var f ethernet.Frame
		if f.UnmarshalBinary(buf[:n]) == nil {
			c.mu.Lock()
			c.frames = append(c.frames, f)
			c.mu.Unlock()
		}
	}
}

// stop ends the capture (after letting frames in flight arrive) and
// returns what it saw.
func (c *capture) stop() []ethernet.Frame {
	select {
	case <-c.done:
	default:
		time.Sleep(200 * time.Millisecond)
		_ = c.conn.Close()
		<-c.done
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frames
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }
