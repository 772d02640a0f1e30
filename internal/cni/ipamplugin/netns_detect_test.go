// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin_test

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/mdlayher/arp"
	"github.com/mdlayher/ethernet"
	"github.com/mdlayher/ndp"
	"github.com/mdlayher/packet"
	"github.com/vishvananda/netlink"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// TestNetnsDetection drives the plugin binary through libcni and macvlan
// with the agent's detection switches; the host end of the master's veth
// stands for the other hosts of the LAN (a squatter, the gateway) and
// watches the wire.
func TestNetnsDetection(t *testing.T) {
	env := newNetnsEnv(t)
	peer := "peer" + env.suffix[:6]
	ipam := func(agent *runningAgent, pools ...string) map[string]any {
		m := map[string]any{"ipam_unix_socket_path": agent.socket, "default_ipv4_ippool": []string{pools[0]}}
		if len(pools) > 1 {
			m["default_ipv6_ippool"] = []string{pools[1]}
		}
		return m
	}

	t.Run("SwitchesOffSendNoProbe", func(t *testing.T) {
		agent := env.startAgent(t)
		env.hostAddr(t, peer, "10.250.0.10/24") // would conflict, but nobody asks
		c := env.capture(t, peer)
		res := env.mustAdd(t, env.network(t, "det-off", "1.1.0", ipam(agent, "v4a")), env.newPod(t, "off").rt("eth0"))
		frames := c.stop()
		for _, p := range arpOf(frames) {
			if p.SenderIP == netip.IPv4Unspecified() || p.TargetIP == netip.MustParseAddr("10.250.0.1") {
				t.Errorf("ARP probe %s -> %s sent with the switches off", p.SenderIP, p.TargetIP)
			}
		}
		if !hasGARP(frames, "10.250.0.10") {
			t.Errorf("no gratuitous ARP for %v seen", ipsOf(res))
		}
	})

	t.Run("Conflict", func(t *testing.T) {
		agent := env.startAgent(t)
		agent.conflictDetection = true
		env.hostAddr(t, peer, "10.250.0.10/24")
		net := env.network(t, "det-conflict", "1.1.0", ipam(agent, "v4a"))
		p := env.newPod(t, "conflict")
		_, err := env.Add(t, net, p.rt("eth0"))
		if cniCode(err) != 11 || !strings.Contains(err.Error(), "with an conflicting ip 10.250.0.10, 10.250.0.10 is located at "+env.mac(t, peer)) {
			t.Fatalf("ADD: %v, want code 11 and the conflict at the squatter's MAC %s", err, env.mac(t, peer))
		}
		wantBatch(t, agent, &agentapi.Detection{IfName: "eth0", ConflictIP: "10.250.0.10", ConflictMAC: env.mac(t, peer), IPPool: "v4a"})
		env.MustDel(t, net, p.rt("eth0")) // the runtime's DEL before it retries
		if got := ipsOf(env.mustAdd(t, net, p.rt("eth0"))); len(got) != 1 || got[0] == "10.250.0.10/24" {
			t.Errorf("retried ADD got %v, want another address", got)
		}
	})

	t.Run("GatewayUnreachable", func(t *testing.T) {
		agent := env.startAgent(t)
		agent.gatewayDetection = true
		net := env.network(t, "det-gw", "1.1.0", ipam(agent, "v4a"))
		p := env.newPod(t, "gw")
		_, err := env.Add(t, net, p.rt("eth0"))
		if cniCode(err) != 11 || !strings.Contains(err.Error(), "gateway 10.250.0.1 is unreachable") {
			t.Fatalf("ADD: %v, want code 11 and gateway 10.250.0.1 is unreachable", err)
		}
		wantBatch(t, agent, &agentapi.Detection{IfName: "eth0", UnreachableGateway: "10.250.0.1", IPPool: "v4a"})
		if got := agent.Allocated(); len(got) != 0 {
			t.Errorf("agent holds %v after the release", got)
		}
		env.hostAddr(t, peer, "10.250.0.1/24")
		env.MustDel(t, net, p.rt("eth0"))
		env.mustAdd(t, net, p.rt("eth0"))
	})

	t.Run("DualStack", func(t *testing.T) {
		agent := env.startAgent(t)
		agent.conflictDetection, agent.gatewayDetection = true, true
		env.hostAddr(t, peer, "10.250.0.1/24")
		env.hostAddr(t, peer, "fd00:250::1/64")
		env.hostAddr(t, peer, "fd00:250::10/64")
		net := env.network(t, "det-dual", "1.1.0", ipam(agent, "v4a", "v6a"))
		p := env.newPod(t, "dual")
		_, err := env.Add(t, net, p.rt("eth0"))
		if cniCode(err) != 11 || !strings.Contains(err.Error(), "conflicting ip fd00:250::10") {
			t.Fatalf("ADD: %v, want the IPv6 conflict", err)
		}
		env.MustDel(t, net, p.rt("eth0"))
		c := env.capture(t, peer)
		res := env.mustAdd(t, net, p.rt("eth0"))
		frames := c.stop()
		for _, ip := range ipsOf(res) {
			a := netip.MustParsePrefix(ip).Addr()
			if a.Is4() && !hasGARP(frames, a.String()) || a.Is6() && !hasNA(frames, a) {
				t.Errorf("no announcement of %s seen", a)
			}
		}
	})
}

func wantBatch(t *testing.T, agent *runningAgent, want *agentapi.Detection) {
	t.Helper()
	agent.mu.Lock()
	defer agent.mu.Unlock()
	if len(agent.batches) != 1 || !agent.batches[0].IsReleaseConflictIPs || *agent.batches[0].Detection != *want {
		t.Errorf("batch releases %+v, want one with isReleaseConflictIPs and %+v", agent.batches, want)
	}
}

// hostAddr puts cidr on link in the host netns (IPv6 without DAD) until
// the test ends.
func (e *netnsEnv) hostAddr(t *testing.T, link, cidr string) {
	t.Helper()
	addr, err := netlink.ParseAddr(cidr)
	if err != nil {
		t.Fatal(err)
	}
	addr.Flags = 0x2 // IFA_F_NODAD
	if err := e.Do(t, func() error {
		l, err := netlinksafe.LinkByName(link)
		if err != nil {
			return err
		}
		return netlink.AddrAdd(l, addr)
	}); err != nil {
		t.Fatalf("add %s to %s: %v", cidr, link, err)
	}
	t.Cleanup(func() {
		_ = e.NS.Do(func(ns.NetNS) error {
			l, err := netlinksafe.LinkByName(link)
			if err == nil {
				err = netlink.AddrDel(l, addr)
			}
			return err
		})
	})
}

func (e *netnsEnv) mac(t *testing.T, link string) string {
	t.Helper()
	var mac string
	if err := e.Do(t, func() error {
		l, err := netlinksafe.LinkByName(link)
		if err == nil {
			mac = l.Attrs().HardwareAddr.String()
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return mac
}

// wire records the frames a host link receives until stop.
type wire struct {
	conn   *packet.Conn
	mu     sync.Mutex
	frames []ethernet.Frame
	done   chan struct{}
}

func (e *netnsEnv) capture(t *testing.T, link string) *wire {
	t.Helper()
	w := &wire{done: make(chan struct{})}
	if err := e.Do(t, func() error {
		ifi, err := net.InterfaceByName(link)
		if err == nil {
			w.conn, err = packet.Listen(ifi, packet.Raw, 0x0003 /* ETH_P_ALL */, nil)
		}
		return err
	}); err != nil {
		t.Fatalf("capture on %s: %v", link, err)
	}
	go func() {
		defer close(w.done)
		buf := make([]byte, 2048)
		for {
			n, _, err := w.conn.ReadFrom(buf)
			if err != nil {
				return
			}
			var f ethernet.Frame
			if f.UnmarshalBinary(buf[:n]) == nil {
				w.mu.Lock()
				w.frames = append(w.frames, f)
				w.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { w.stop() })
	return w
}

func (w *wire) stop() []ethernet.Frame {
	select {
	case <-w.done:
	default:
		time.Sleep(200 * time.Millisecond)
		_ = w.conn.Close()
		<-w.done
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.frames
}

func arpOf(frames []ethernet.Frame) []arp.Packet {
	var out []arp.Packet
	for _, f := range frames {
		var p arp.Packet
		if f.EtherType == ethernet.EtherTypeARP && p.UnmarshalBinary(f.Payload) == nil {
			out = append(out, p)
		}
	}
	return out
}

func hasGARP(frames []ethernet.Frame, ip string) bool {
	a := netip.MustParseAddr(ip)
	for _, p := range arpOf(frames) {
		if p.SenderIP == a && p.TargetIP == a {
			return true
		}
	}
	return false
}

func hasNA(frames []ethernet.Frame, target netip.Addr) bool {
	for _, f := range frames {
		if f.EtherType != ethernet.EtherTypeIPv6 || len(f.Payload) < 41 || f.Payload[6] != 58 {
			continue
		}
		if m, err := ndp.ParseMessage(f.Payload[40:]); err == nil {
			if na, ok := m.(*ndp.NeighborAdvertisement); ok && na.TargetAddress == target && na.Override && !na.Solicited {
				return true
			}
		}
	}
	return false
}
