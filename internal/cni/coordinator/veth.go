// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
)

// randomMAC is a random locally administered unicast MAC. The veth ends
// get one each, set explicitly, so that udev's MACAddressPolicy does not
// change them after the neighbour entries are written.
func randomMAC() (net.HardwareAddr, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("random MAC: %w", err)
	}
	b[0] = (b[0] | 0x02) &^ 0x01
	return b, nil
}

// vethPair is the pair made on the pod's first NIC.
type vethPair struct {
	podMAC, hostMAC net.HardwareAddr
}

// createVeth runs in the pod's netns: it replaces any veth0 left by an
// earlier ADD, makes veth0 with its peer hostName in hostNS, and sets
// veth0 UP. The caller removed a stale hostName from the node.
func createVeth(hostNS ns.NetNS, hostName string, mtu int) (*vethPair, error) {
	if old, err := netlinksafe.LinkByName(PodVeth); err == nil {
		if err := netlink.LinkDel(old); err != nil {
			return nil, fmt.Errorf("delete the old %s: %w", PodVeth, err)
		}
	}
	podMAC, err := randomMAC()
	if err != nil {
		return nil, err
	}
	hostMAC, err := randomMAC()
	if err != nil {
		return nil, err
	}
	veth := &netlink.Veth{
		LinkAttrs: netlink.LinkAttrs{Name: PodVeth, MTU: mtu, HardwareAddr: podMAC},
		PeerName:  hostName, PeerHardwareAddr: hostMAC, PeerMTU: uint32(mtu), //nolint:gosec // 68..65535, checked by Merge
		PeerNamespace: netlink.NsFd(int(hostNS.Fd())), //nolint:gosec // a file descriptor fits in an int
	}
	if err := netlink.LinkAdd(veth); err != nil {
		return nil, fmt.Errorf("create the veth pair %s/%s (MTU %d): %w", PodVeth, hostName, mtu, err)
	}
	link, err := netlinksafe.LinkByName(PodVeth)
	if err == nil {
		err = netlink.LinkSetUp(link)
	}
	if err != nil {
		return nil, fmt.Errorf("set %s up: %w", PodVeth, err)
	}
	return &vethPair{podMAC: podMAC, hostMAC: hostMAC}, nil
}

// setUpHostVeth runs in the node's netns: it records the container ID in
// the alias (for DEL) and sets the link UP.
func setUpHostVeth(name, containerID string) (netlink.Link, error) {
	link, err := netlinksafe.LinkByName(name)
	if err != nil {
		return nil, fmt.Errorf("find the host veth %s: %w", name, err)
	}
	if err := netlink.LinkSetAlias(link, VethAliasPrefix+containerID); err != nil {
		return nil, fmt.Errorf("set the alias of %s: %w", name, err)
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return nil, fmt.Errorf("set %s up: %w", name, err)
	}
	return link, nil
}

// deleteHostVeths runs in the node's netns: it deletes the pod's host
// veth, found by name or by the container ID in its alias. Deleting it
// takes veth0, the node's routes through it (table hostRuleTable) and its
// neighbour entries along. Missing links are not an error.
func deleteHostVeths(containerID string) error {
	links, err := netlinksafe.LinkList()
	if err != nil {
		return fmt.Errorf("list the node's links: %w", err)
	}
	var errs []error
	for _, l := range links {
		a := l.Attrs()
		ours := a.Alias == VethAliasPrefix+containerID ||
			(a.Name == HostVethName(containerID) && l.Type() == "veth" && !strings.HasPrefix(a.Alias, VethAliasPrefix))
		if !ours {
			continue
		}
		var notFound netlink.LinkNotFoundError
		if err := netlink.LinkDel(l); err != nil && !errors.As(err, &notFound) {
			errs = append(errs, fmt.Errorf("delete the host veth %s: %w", a.Name, err))
		}
	}
	return errors.Join(errs...)
}
