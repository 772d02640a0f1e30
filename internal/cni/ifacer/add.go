// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ifacer

import (
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"
)

// ErrDuplicateVlan is returned when another VLAN interface of the node has
// the VLAN ID asked for.
var ErrDuplicateVlan = errors.New("cannot have multiple different vlan interfaces with the same vlanId")

// setUpDevices makes what conf asks for (docs/reference/behaviour.md
// §8.7) and returns the name of the device the main plugin should use,
// "" when there is nothing to make.
func setUpDevices(l Links, conf *NetConf) (string, error) {
	switch {
	case len(conf.Interfaces) == 1 && conf.VlanID == 0:
		return "", nil
	case len(conf.Interfaces) == 1:
		return ensureVlan(l, conf.Interfaces[0], conf.VlanID)
	case conf.Bond == nil:
		return "", nil // several masters without a bond: nothing to make, as in Spiderpool
	}
	bond, err := ensureBond(l, conf)
	if err != nil || conf.VlanID == 0 {
		return bond, err
	}
	return ensureVlan(l, bond, conf.VlanID)
}

// ensureVlan makes "<master>.<id>" UP, after checking that no other VLAN
// interface of the node has that ID.
func ensureVlan(l Links, master string, id int) (string, error) {
	name := VlanName(master, id)
	if len(name) > maxIfName {
		return "", invalid("vlanID", "%d on %s makes the interface name %q, longer than %d bytes; use a shorter master or bond name", id, master, name, maxIfName)
	}
	links, err := l.LinkList()
	if err != nil {
		return "", fmt.Errorf("list the node's links: %w", err)
	}
	for _, link := range links {
		if v, ok := link.(*netlink.Vlan); ok && v.VlanId == id && v.Name != name {
			return "", fmt.Errorf("%w: %s already has VLAN ID %d; use that interface as master or another vlanID", ErrDuplicateVlan, v.Name, id)
		}
	}
	parent, err := l.LinkByName(master)
	if err != nil {
		return "", fmt.Errorf("find the VLAN's master %s: %w", master, err)
	}
	if err := l.LinkSetUp(parent); err != nil {
		return "", fmt.Errorf("set %s up: %w", master, err)
	}
	vlan, err := l.LinkByName(name)
	if err != nil {
		vlan = &netlink.Vlan{LinkAttrs: netlink.LinkAttrs{Name: name, ParentIndex: parent.Attrs().Index}, VlanId: id}
		if err := l.LinkAdd(vlan); err != nil {
			return "", fmt.Errorf("create VLAN %s (ID %d on %s): %w", name, id, master, err)
		}
	}
	if err := l.LinkSetUp(vlan); err != nil {
		return "", fmt.Errorf("set %s up: %w", name, err)
	}
	return name, nil
}

// ensureBond reuses the bond if it exists (it must be a bond) or makes it
// with the mode and options and enslaves the interfaces (each set down,
// enslaved, set up); the bond ends UP.
func ensureBond(l Links, conf *NetConf) (string, error) {
	name := conf.Bond.Name
	if existing, err := l.LinkByName(name); err == nil {
		if _, ok := existing.(*netlink.Bond); !ok {
			return "", fmt.Errorf("%s exists and is a %s, not a bond: choose another bond.name", name, existing.Type())
		}
		if err := l.LinkSetUp(existing); err != nil {
			return "", fmt.Errorf("set bond %s up: %w", name, err)
		}
		return name, nil
	}
	bond, err := conf.newBond()
	if err != nil {
		return "", err
	}
	if err := l.LinkAdd(bond); err != nil {
		return "", fmt.Errorf("create bond %s (mode %d): %w", name, conf.Bond.Mode, err)
	}
	for _, iface := range conf.Interfaces {
		if err := enslave(l, iface, bond); err != nil {
			return "", err
		}
	}
	if err := l.LinkSetUp(bond); err != nil {
		return "", fmt.Errorf("set bond %s up: %w", name, err)
	}
	return name, nil
}

func enslave(l Links, iface string, bond netlink.Link) error {
	link, err := l.LinkByName(iface)
	if err != nil {
		return fmt.Errorf("find %s for bond %s: %w", iface, bond.Attrs().Name, err)
	}
	if err := l.LinkSetDown(link); err != nil {
		return fmt.Errorf("set %s down to enslave it: %w", iface, err)
	}
	if err := l.LinkSetMaster(link, bond); err != nil {
		return fmt.Errorf("enslave %s to bond %s: %w", iface, bond.Attrs().Name, err)
	}
	if err := l.LinkSetUp(link); err != nil {
		return fmt.Errorf("set %s up: %w", iface, err)
	}
	return nil
}
