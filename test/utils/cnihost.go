// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package utils

import (
	"testing"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
)

// CNIHost is a throw-away node for netns tests: a network namespace holding
// a veth pair (the macvlan master and its peer, both up), in which libcni
// runs the plugins as a container runtime does.
type CNIHost struct {
	// NS is the node's network namespace.
	NS ns.NetNS
	// CNI finds the plugins in the directories NewCNIHost was given.
	CNI *libcni.CNIConfig
}

// NewCNIHost creates the namespace with the veth pair master/peer and a
// libcni that looks for plugins in binDirs and caches in a temporary dir.
// Everything goes when the test ends.
func NewCNIHost(t testing.TB, master, peer string, binDirs ...string) *CNIHost {
	t.Helper()
	h := &CNIHost{NS: NewNS(t), CNI: libcni.NewCNIConfigWithCacheDir(binDirs, t.TempDir(), nil)}
	err := h.NS.Do(func(ns.NetNS) error {
		if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: master}, PeerName: peer}); err != nil {
			return err
		}
		for _, name := range []string{master, peer} {
			link, err := netlinksafe.LinkByName(name)
			if err != nil {
				return err
			}
			if err := netlink.LinkSetUp(link); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("create the master veth %s: %v", master, err)
	}
	return h
}

// Do runs fn in the node's namespace and returns fn's error; failing to
// enter the namespace fails t.
func (h *CNIHost) Do(t testing.TB, fn func() error) error {
	t.Helper()
	var fnErr error
	if err := h.NS.Do(func(ns.NetNS) error { fnErr = fn(); return nil }); err != nil {
		t.Fatalf("enter the host netns: %v", err)
	}
	return fnErr
}

// Add runs ADD of list for rt from the node's namespace.
func (h *CNIHost) Add(t testing.TB, list *libcni.NetworkConfigList, rt *libcni.RuntimeConf) (types.Result, error) {
	t.Helper()
	var res types.Result
	err := h.Do(t, func() (err error) {
		res, err = h.CNI.AddNetworkList(t.Context(), list, rt)
		return err
	})
	return res, err
}

// Del runs DEL of list for rt from the node's namespace.
func (h *CNIHost) Del(t testing.TB, list *libcni.NetworkConfigList, rt *libcni.RuntimeConf) error {
	t.Helper()
	return h.Do(t, func() error { return h.CNI.DelNetworkList(t.Context(), list, rt) })
}

// MustDel is Del failing t on an error.
func (h *CNIHost) MustDel(t testing.TB, list *libcni.NetworkConfigList, rt *libcni.RuntimeConf) {
	t.Helper()
	if err := h.Del(t, list, rt); err != nil {
		t.Fatalf("DEL %s %s: %v", list.Name, rt.IfName, err)
	}
}
