// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/ethernet"
	"github.com/mdlayher/ndp"
)

// announceTimeout bounds each write of an announcement.
const announceTimeout = time.Second

// announce runs in the pod's netns after a MAC change: a gratuitous ARP
// request (sender = target = the address) for each IPv4 address and an
// unsolicited, overriding Neighbor Advertisement to all nodes for each
// IPv6 one, so that peers drop the old MAC (docs/reference/behaviour.md
// §7.4). The caller only reports its error.
func announce(ifName string, addrs []netip.Addr) error {
	ifi, err := net.InterfaceByName(ifName)
	if err != nil {
		return fmt.Errorf("announce on %s: %w", ifName, err)
	}
	var errs []error
	if hasFamily(addrs, true) {
		errs = append(errs, announceARP(ifi, addrs))
	}
	if hasFamily(addrs, false) {
		errs = append(errs, announceNA(ifi, addrs))
	}
	return errors.Join(errs...)
}

func announceARP(ifi *net.Interface, addrs []netip.Addr) error {
	c, err := arp.Dial(ifi)
	if err != nil {
		return fmt.Errorf("gratuitous ARP on %s: %w", ifi.Name, err)
	}
	defer func() { _ = c.Close() }()
	var errs []error
	for _, a := range addrs {
		if !a.Is4() {
			continue
		}
		p, err := arp.NewPacket(arp.OperationRequest, ifi.HardwareAddr, a, ethernet.Broadcast, a)
		if err == nil {
			err = c.SetWriteDeadline(time.Now().Add(announceTimeout))
		}
		if err == nil {
			err = c.WriteTo(p, ethernet.Broadcast)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("gratuitous ARP for %s on %s: %w", a, ifi.Name, err))
		}
	}
	return errors.Join(errs...)
}

func announceNA(ifi *net.Interface, addrs []netip.Addr) error {
	c, _, err := ndp.Listen(ifi, ndp.Unspecified)
	if err != nil {
		return fmt.Errorf("unsolicited NA on %s: %w", ifi.Name, err)
	}
	defer func() { _ = c.Close() }()
	var errs []error
	for _, a := range addrs {
		if a.Is4() {
			continue
		}
		na := &ndp.NeighborAdvertisement{Override: true, TargetAddress: a, Options: []ndp.Option{
			&ndp.LinkLayerAddress{Direction: ndp.Target, Addr: ifi.HardwareAddr},
		}}
		err := c.SetWriteDeadline(time.Now().Add(announceTimeout))
		if err == nil {
			err = c.WriteTo(na, nil, netip.IPv6LinkLocalAllNodes())
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("unsolicited NA for %s on %s: %w", a, ifi.Name, err))
		}
	}
	return errors.Join(errs...)
}
