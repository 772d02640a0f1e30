// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/spiderpool-go/spiderpool/internal/cni/coordinator"
)

// testSLAAC: an IPv6 address the kernel configured by itself (SLAAC, not
// in prevResult) is routed and announced like IPAM's (Spiderpool #5618).
// The coordinator runs by hand after macvlan, once the address is there.
func testSLAAC(t *testing.T, env *netnsEnv) {
	list := env.network(t, "net-slaac", []string{"fd06::60/64"}, nil, nil)
	list.Plugins = list.Plugins[:1] // macvlan alone
	p := env.newPod(t, "slaac")
	res := env.mustAdd(t, list, p.rt("eth0"))
	err := p.ns.Do(func(ns.NetNS) error {
		link, err := netlinksafe.LinkByName("eth0")
		if err != nil {
			return err
		}
		slaac, err := netlink.ParseAddr("fd06::5eed:60/64")
		if err != nil {
			return err
		}
		slaac.Flags, slaac.ValidLft, slaac.PreferedLft = unix.IFA_F_NODAD|unix.IFA_F_NOPREFIXROUTE, 3600, 3600
		return netlink.AddrAdd(link, slaac)
	})
	if err != nil {
		t.Fatalf("add the SLAAC address: %v", err)
	}
	prev, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	stdin := []byte(`{"cniVersion":"1.0.0","name":"net-slaac","type":"coordinator","prevResult":` + string(prev) + `}`)
	run := func(command string) error {
		args := &invoke.Args{Command: command, ContainerID: p.containerID, NetNS: p.ns.Path(), IfName: "eth0",
			PluginArgsStr: "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=slaac", Path: env.binDir}
		plugin := filepath.Join(env.binDir, "coordinator")
		return env.Do(t, func() error {
			if command == "DEL" {
				return invoke.ExecPluginWithoutResult(t.Context(), plugin, stdin, args, nil)
			}
			_, err := invoke.ExecPluginWithResult(t.Context(), plugin, stdin, args, nil)
			return err
		})
	}
	if err := run("ADD"); err != nil {
		t.Fatalf("coordinator ADD: %v", err)
	}
	hostVeth := coordinator.HostVethName(p.containerID)
	take(t, env.NS).want(t, "node",
		"route fd06::60/128 dev "+hostVeth+" table 500",
		"route fd06::5eed:60/128 dev "+hostVeth+" table 500")
	reach(t, env, p, "fd06::5eed:60")
	if err := run("DEL"); err != nil {
		t.Fatalf("coordinator DEL: %v", err)
	}
	take(t, env.NS).wantNone(t, "node after DEL", hostVeth)
	env.MustDel(t, list, p.rt("eth0"))
}
