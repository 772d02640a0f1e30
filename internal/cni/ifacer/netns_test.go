// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ifacer_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"

	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestNetns runs the built plugin through libcni in a throw-away node
// netns with two veths as masters. It skips where the kernel cannot make
// VLAN or bond devices (such as this project's CI machines).
func TestNetns(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("netns tests need root")
	}
	node := utils.NewNS(t)
	if err := node.Do(func(ns.NetNS) error { return makeMasters("eth1", "eth2") }); err != nil {
		t.Fatalf("masters: %v", err)
	}
	if err := node.Do(func(ns.NetNS) error { return probe() }); err != nil {
		t.Skipf("kernel lacks vlan/bond: %v", err)
	}
	bin := t.TempDir()
	utils.BuildCommand(t, "./cmd/ifacer", bin, "ifacer")
	cni := libcni.NewCNIConfigWithCacheDir([]string{bin}, t.TempDir(), nil)
	add := func(conf map[string]any) error {
		conf["type"] = "ifacer"
		data, err := json.Marshal(map[string]any{"cniVersion": "1.0.0", "name": "n", "plugins": []any{conf}})
		if err != nil {
			return err
		}
		list, err := libcni.ConfListFromBytes(data)
		if err != nil {
			return err
		}
		rt := &libcni.RuntimeConf{ContainerID: "c1", NetNS: node.Path(), IfName: "net1"}
		return node.Do(func(ns.NetNS) error { _, err := cni.AddNetworkList(t.Context(), list, rt); return err })
	}
	if err := add(map[string]any{"interfaces": []string{"eth1"}, "vlanID": 100}); err != nil {
		t.Fatalf("ADD vlan: %v", err)
	}
	if err := add(map[string]any{"interfaces": []string{"eth2"}, "vlanID": 100}); err == nil {
		t.Error("a second VLAN with ID 100 was accepted")
	}
	if err := add(map[string]any{"interfaces": []string{"eth2", "eth3"}, "vlanID": 200,
		"bond": map[string]any{"name": "bond9", "mode": 1, "options": "miimon=100"}}); err != nil {
		t.Fatalf("ADD bond: %v", err)
	}
	err := node.Do(func(ns.NetNS) error {
		for _, name := range []string{"eth1.100", "bond9", "bond9.200"} {
			if _, err := netlinksafe.LinkByName(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Errorf("devices after ADD: %v", err)
	}
}

// probe makes and deletes a VLAN and a bond.
func probe() error {
	master, err := netlinksafe.LinkByName("eth1")
	if err != nil {
		return err
	}
	v := &netlink.Vlan{LinkAttrs: netlink.LinkAttrs{Name: "probe.7", ParentIndex: master.Attrs().Index}, VlanId: 7}
	if err := netlink.LinkAdd(v); err != nil {
		return err
	}
	b := netlink.NewLinkBond(netlink.LinkAttrs{Name: "probebond"})
	return errors.Join(netlink.LinkDel(v), netlink.LinkAdd(b), netlink.LinkDel(b))
}

func makeMasters(names ...string) error {
	for _, n := range append(names, "eth3") {
		veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: n}, PeerName: n + "p"}
		if err := netlink.LinkAdd(veth); err != nil {
			return err
		}
	}
	return nil
}
