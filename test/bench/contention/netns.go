// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"

	"github.com/spiderpool-go/spiderpool/test/lab/nodesim"
)

// netnsDir is where iproute2 keeps named namespaces.
const netnsDir = "/var/run/netns"

// sandboxes are the pods' network namespaces, one per pod index, shared by
// every scenario: the IPAM plugin never adds an address to eth0 (the main
// plugin would), and its DEL removes what it finds.
type sandboxes struct{ paths []string }

// createSandboxes creates n namespaces named prefix + "c<i>", each with an
// eth0 that is one end of a veth whose other end, peer0, is up in the same
// namespace: the plugin sets eth0 up and announces the pod's addresses on
// it, and the announcements go nowhere. prefix should be the lab's pod
// namespace prefix, so that the lab's teardown removes leftovers.
func createSandboxes(prefix string, n int) (*sandboxes, error) {
	s := &sandboxes{}
	for i := range n {
		path := filepath.Join(netnsDir, prefix+"c"+strconv.Itoa(i))
		if err := nodesim.CreateNetNS(path); err != nil {
			return s, err
		}
		s.paths = append(s.paths, path)
		if err := ns.WithNetNSPath(path, func(ns.NetNS) error { return addVeth() }); err != nil {
			return s, fmt.Errorf("sandbox %s: %w", path, err)
		}
	}
	return s, nil
}

// addVeth adds the veth eth0/peer0 to the current namespace, peer0 up.
func addVeth() error {
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "eth0"}, PeerName: "peer0"}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("add veth eth0: %w", err)
	}
	peer, err := netlinksafe.LinkByName("peer0")
	if err != nil {
		return fmt.Errorf("find peer0: %w", err)
	}
	if err := netlink.LinkSetUp(peer); err != nil {
		return fmt.Errorf("set peer0 up: %w", err)
	}
	return nil
}

// remove removes every namespace created; it goes on after a failure.
func (s *sandboxes) remove() error {
	var errs []error
	for _, p := range s.paths {
		errs = append(errs, nodesim.RemoveNetNS(p))
	}
	s.paths = nil
	return errors.Join(errs...)
}
