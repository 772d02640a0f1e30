// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package detect_test

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/ethernet"
	"github.com/mdlayher/ndp"

	"github.com/spiderpool-go/spiderpool/internal/cni/detect"
)

// TestCheck: a pod namespace and a responder namespace on one bridge. The
// responder holds addresses the pod probes for, and is its gateway.
func TestCheck(t *testing.T) {
	l := newLAN(t)
	_, responderMAC := l.attach("peer", "10.250.85.10/24", "10.250.85.1/24", "fd00:85::10/64", "fd00:85::1/64")
	pod, _ := l.attach("chk0")
	path := pod.Path()
	cases := []struct {
		name    string
		targets []detect.Target
		want    error // nil, detect.ErrConflict or detect.ErrGatewayUnreachable
		wantIP  string
	}{
		{name: "IPv4 conflict", targets: []detect.Target{{IP: addr("10.250.85.10"), Conflict: true}}, want: detect.ErrConflict, wantIP: "10.250.85.10"},
		{name: "IPv4 free", targets: []detect.Target{{IP: addr("10.250.85.11"), Conflict: true}}},
		{name: "IPv4 gateway present", targets: []detect.Target{{IP: addr("10.250.85.11"), Gateway: addr("10.250.85.1"), GatewayCheck: true}}},
		{name: "IPv4 gateway absent", targets: []detect.Target{{IP: addr("10.250.85.11"), Gateway: addr("10.250.85.254"), GatewayCheck: true}}, want: detect.ErrGatewayUnreachable},
		{name: "IPv4 conflict before gateway", targets: []detect.Target{{IP: addr("10.250.85.10"), Gateway: addr("10.250.85.254"), Conflict: true, GatewayCheck: true}}, want: detect.ErrConflict, wantIP: "10.250.85.10"},
		{name: "IPv6 conflict", targets: []detect.Target{{IP: addr("fd00:85::10"), Conflict: true}}, want: detect.ErrConflict, wantIP: "fd00:85::10"},
		{name: "IPv6 free", targets: []detect.Target{{IP: addr("fd00:85::11"), Conflict: true}}},
		{name: "IPv6 gateway present", targets: []detect.Target{{IP: addr("fd00:85::11"), Gateway: addr("fd00:85::1"), GatewayCheck: true}}},
		{name: "IPv6 gateway absent", targets: []detect.Target{{IP: addr("fd00:85::11"), Gateway: addr("fd00:85::fe"), GatewayCheck: true}}, want: detect.ErrGatewayUnreachable},
		{name: "dual stack fine", targets: []detect.Target{
			{IP: addr("10.250.85.11"), Gateway: addr("10.250.85.1"), Conflict: true, GatewayCheck: true},
			{IP: addr("fd00:85::11"), Gateway: addr("fd00:85::1"), Conflict: true, GatewayCheck: true},
		}},
		{name: "dual stack IPv6 conflict", targets: []detect.Target{
			{IP: addr("10.250.85.11"), Gateway: addr("10.250.85.1"), Conflict: true, GatewayCheck: true},
			{IP: addr("fd00:85::10"), Gateway: addr("fd00:85::1"), Conflict: true, GatewayCheck: true},
		}, want: detect.ErrConflict, wantIP: "fd00:85::10"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := detect.Check(path, "chk0", tc.targets, detect.DefaultTiming)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Check: %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Check: %v, want %v", err, tc.want)
			}
			var c *detect.ConflictError
			if errors.As(err, &c) && (c.IP != addr(tc.wantIP) || !bytes.Equal(c.MAC, responderMAC) || c.IfName != "chk0") {
				t.Errorf("conflict %+v, want %s at %s on chk0", c, tc.wantIP, responderMAC)
			}
		})
	}
}

// TestGatewayMessage: the errors read as Spiderpool's.
func TestGatewayMessage(t *testing.T) {
	if got := (&detect.GatewayError{Gateway: addr("10.6.0.1")}).Error(); got != "gateway 10.6.0.1 is unreachable" {
		t.Errorf("GatewayError = %q", got)
	}
	mac, _ := net.ParseMAC("02:00:00:00:00:01")
	got := (&detect.ConflictError{IfName: "eth0", IP: addr("10.6.0.9"), MAC: mac}).Error()
	if got != "pod's interface eth0 with an conflicting ip 10.6.0.9, 10.6.0.9 is located at 02:00:00:00:00:01" {
		t.Errorf("ConflictError = %q", got)
	}
}

// TestWire: what goes on the wire, seen by a third namespace. With no
// check asked for nothing is sent; a conflict probe has sender 0.0.0.0;
// announcements are a gratuitous ARP and an unsolicited NA.
func TestWire(t *testing.T) {
	l := newLAN(t)
	pod, podMAC := l.attach("wire0")
	sniffer, _ := l.attach("peer")
	path := pod.Path()

	c := l.capture(sniffer)
	off := []detect.Target{{IP: addr("10.250.86.5"), Gateway: addr("10.250.86.1")}, {IP: addr("fd00:86::5"), Gateway: addr("fd00:86::1")}}
	if err := detect.Check(path, "wire0", off, detect.DefaultTiming); err != nil {
		t.Fatalf("Check with every switch off: %v", err)
	}
	if got := arpFrom(c.stop(), podMAC); len(got) != 0 {
		t.Errorf("ARP sent with every switch off: %+v", got)
	}

	c = l.capture(sniffer)
	on := []detect.Target{{IP: addr("10.250.86.5"), Conflict: true}}
	if err := detect.Check(path, "wire0", on, detect.DefaultTiming); err != nil {
		t.Fatalf("Check: %v", err)
	}
	probes := arpFrom(c.stop(), podMAC)
	if len(probes) == 0 || probes[0].SenderIP != netip.IPv4Unspecified() || probes[0].TargetIP != addr("10.250.86.5") {
		t.Errorf("probes %+v, want ARP probes from 0.0.0.0 for 10.250.86.5", probes)
	}

	c = l.capture(sniffer)
	if err := detect.Announce(path, "wire0", []netip.Addr{addr("10.250.86.5"), addr("fd00:86::5")}, detect.DefaultTiming.LinkLocalWait); err != nil {
		t.Fatalf("Announce: %v", err)
	}
	frames := c.stop()
	garp := arpFrom(frames, podMAC)
	if len(garp) != 1 || garp[0].SenderIP != addr("10.250.86.5") || garp[0].TargetIP != addr("10.250.86.5") {
		t.Errorf("gratuitous ARP %+v, want one with sender = target = 10.250.86.5", garp)
	}
	if na := naFrom(t, frames, podMAC); len(na) != 1 || na[0].TargetAddress != addr("fd00:86::5") || !na[0].Override {
		t.Errorf("Neighbor Advertisements %+v, want one overriding for fd00:86::5", na)
	}
}

func arpFrom(frames []ethernet.Frame, mac net.HardwareAddr) []arp.Packet {
	var out []arp.Packet
	for _, f := range frames {
		var p arp.Packet
		if f.EtherType == ethernet.EtherTypeARP && bytes.Equal(f.Source, mac) && p.UnmarshalBinary(f.Payload) == nil {
			out = append(out, p)
		}
	}
	return out
}

func naFrom(t *testing.T, frames []ethernet.Frame, mac net.HardwareAddr) []*ndp.NeighborAdvertisement {
	t.Helper()
	var out []*ndp.NeighborAdvertisement
	for _, f := range frames {
		if f.EtherType != ethernet.EtherTypeIPv6 || !bytes.Equal(f.Source, mac) || len(f.Payload) < 41 || f.Payload[6] != 58 {
			continue
		}
		if m, err := ndp.ParseMessage(f.Payload[40:]); err == nil {
			if na, ok := m.(*ndp.NeighborAdvertisement); ok {
				out = append(out, na)
			}
		}
	}
	return out
}
