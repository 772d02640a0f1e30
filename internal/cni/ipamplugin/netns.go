// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// netnsLinks is [Links] on the real kernel.
type netnsLinks struct{}

var _ Links = netnsLinks{}

// SetUp brings the interface UP early, as Spiderpool does, so that probes
// can be sent from it. A main plugin that creates the interface only after
// IPAM (such as ptp) leaves nothing to do.
func (netnsLinks) SetUp(netnsPath, ifName string) error {
	return withLink(netnsPath, ifName, func(link netlink.Link) error {
		if err := netlink.LinkSetUp(link); err != nil {
			return fmt.Errorf("set interface %s up in netns %s: %w", ifName, netnsPath, err)
		}
		return nil
	})
}

// Addrs lists the interface's addresses of both families.
func (netnsLinks) Addrs(netnsPath, ifName string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	err := inNetNS(netnsPath, func() error {
		link, err := netlinksafe.LinkByName(ifName)
		if err != nil {
			return fmt.Errorf("find interface %s in netns %s: %w", ifName, netnsPath, err)
		}
		addrs, err := netlinksafe.AddrList(link, netlink.FAMILY_ALL)
		if err != nil {
			return fmt.Errorf("list the addresses of %s in netns %s: %w", ifName, netnsPath, err)
		}
		for _, a := range addrs {
			if p, ok := prefixOf(a.IP, a.Mask); ok {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}

// Unaddress removes the global addresses of the interface. A namespace or
// interface that is already gone has none left.
func (netnsLinks) Unaddress(netnsPath, ifName string) error {
	err := withLink(netnsPath, ifName, func(link netlink.Link) error {
		addrs, err := netlinksafe.AddrList(link, netlink.FAMILY_ALL)
		if err != nil {
			return fmt.Errorf("list the addresses of %s in netns %s: %w", ifName, netnsPath, err)
		}
		var errs []error
		for _, a := range addrs {
			if a.Scope == int(netlink.SCOPE_UNIVERSE) {
				if err := netlink.AddrDel(link, &a); err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) {
					errs = append(errs, fmt.Errorf("remove %s from %s in netns %s: %w", a.IPNet, ifName, netnsPath, err))
				}
			}
		}
		return errors.Join(errs...)
	})
	var gone ns.NSPathNotExistErr
	if errors.As(err, &gone) {
		return nil
	}
	return err
}

// withLink runs fn on the interface inside the namespace; an interface that
// is not there is not an error, and fn does not run.
func withLink(netnsPath, ifName string, fn func(netlink.Link) error) error {
	return inNetNS(netnsPath, func() error {
		link, err := netlinksafe.LinkByName(ifName)
		var notFound netlink.LinkNotFoundError
		if errors.As(err, &notFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find interface %s in netns %s: %w", ifName, netnsPath, err)
		}
		return fn(link)
	})
}

// inNetNS runs fn inside the network namespace at path.
func inNetNS(path string, fn func() error) (err error) {
	netns, err := ns.GetNS(path)
	if err != nil {
		return fmt.Errorf("%w %s: %w", ErrNetNS, path, err)
	}
	defer func() { err = errors.Join(err, netns.Close()) }()
	return netns.Do(func(ns.NetNS) error { return fn() })
}
