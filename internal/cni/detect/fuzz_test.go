// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package detect

import (
	"net"
	"net/netip"
	"testing"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/ethernet"
)

// FuzzARPMatch: any frame off the wire is either ignored or names a MAC
// other than ours, for the address asked about.
func FuzzARPMatch(f *testing.F) {
	ours := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	theirs := net.HardwareAddr{2, 0, 0, 0, 0, 2}
	from := netip.MustParseAddr("10.6.0.10")
	for _, sender := range []net.HardwareAddr{ours, theirs} {
		p, _ := arp.NewPacket(arp.OperationReply, sender, from, ours, netip.MustParseAddr("10.6.0.11"))
		payload, _ := p.MarshalBinary()
		frame, _ := (&ethernet.Frame{Destination: ours, Source: sender, EtherType: ethernet.EtherTypeARP, Payload: payload}).MarshalBinary()
		f.Add(frame)
	}
	f.Add([]byte{0xff, 0xff})
	c := &arpConn{ifi: &net.Interface{Name: "eth0", HardwareAddr: ours}}
	f.Fuzz(func(t *testing.T, frame []byte) {
		mac := c.match(frame, from)
		if mac == nil {
			return
		}
		var fr ethernet.Frame
		var p arp.Packet
		if fr.UnmarshalBinary(frame) != nil || p.UnmarshalBinary(fr.Payload) != nil || p.SenderIP != from || mac.String() == ours.String() {
			t.Fatalf("match(%x) = %s for a frame that is not another host's ARP from %s", frame, mac, from)
		}
	})
}
