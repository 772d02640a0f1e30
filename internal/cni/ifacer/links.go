// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ifacer

import (
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/vishvananda/netlink"
)

// Links is every netlink call ADD makes, in the node's netns.
type Links interface {
	LinkByName(name string) (netlink.Link, error)
	LinkList() ([]netlink.Link, error)
	LinkAdd(link netlink.Link) error
	LinkSetUp(link netlink.Link) error
	LinkSetDown(link netlink.Link) error
	LinkSetMaster(link, master netlink.Link) error
}

// netlinkLinks is Links on the kernel.
type netlinkLinks struct{}

var _ Links = netlinkLinks{}

// LinkByName implements Links.
func (netlinkLinks) LinkByName(name string) (netlink.Link, error) {
	return netlinksafe.LinkByName(name)
}

// LinkList implements Links.
func (netlinkLinks) LinkList() ([]netlink.Link, error) { return netlinksafe.LinkList() }

// LinkAdd implements Links.
func (netlinkLinks) LinkAdd(link netlink.Link) error { return netlink.LinkAdd(link) }

// LinkSetUp implements Links.
func (netlinkLinks) LinkSetUp(link netlink.Link) error { return netlink.LinkSetUp(link) }

// LinkSetDown implements Links.
func (netlinkLinks) LinkSetDown(link netlink.Link) error { return netlink.LinkSetDown(link) }

// LinkSetMaster implements Links.
func (netlinkLinks) LinkSetMaster(link, master netlink.Link) error {
	return netlink.LinkSetMaster(link, master)
}
