// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"

	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// masterName is the node's underlay interface inside the host netns, as
// on a lab node.
const masterName = "eth0"

// netnsEnv is a throw-away "node": a host netns with a veth named eth0 as
// the macvlan master, the plugin binary, macvlan, a CNI cache, and a root
// dir the plugin takes as the host's (netconf.EnvRoot), so its sockets,
// queues and logs stay out of the real /var/run and /var/log.
type netnsEnv struct {
	*utils.CNIHost
	suffix string
	root   string
	// bin is the directory of the plugin binary.
	bin string
}

// newNetnsEnv needs root and the macvlan binary; it skips otherwise.
func newNetnsEnv(t testing.TB) *netnsEnv {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("netns tests need root")
	}
	pluginsDir := utils.CNIPluginsDir(t, "macvlan", "static")
	binDir := t.TempDir()
	utils.BuildCommand(t, "./cmd/spiderpool", binDir, "spiderpool")
	env := &netnsEnv{suffix: utils.RandomSuffix(t), root: t.TempDir(), bin: binDir}
	t.Setenv(netconf.EnvRoot, env.root) // libcni passes the test's environment to the plugin
	env.CNIHost = utils.NewCNIHost(t, masterName, "peer"+env.suffix[:6], binDir, pluginsDir)
	return env
}

// network is a conflist with macvlan on the master and spiderpool IPAM.
func (e *netnsEnv) network(t testing.TB, name, cniVersion string, ipam map[string]any) *libcni.NetworkConfigList {
	t.Helper()
	ipam["type"] = "spiderpool"
	return e.conflist(t, map[string]any{
		"cniVersion": cniVersion, "name": name,
		"plugins": []any{map[string]any{"type": "macvlan", "master": masterName, "mode": "bridge", "ipam": ipam}},
	})
}

func (e *netnsEnv) conflist(t testing.TB, doc map[string]any) *libcni.NetworkConfigList {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	list, err := libcni.ConfListFromBytes(data)
	if err != nil {
		t.Fatalf("conflist %s: %v", data, err)
	}
	return list
}

// pod is a pod sandbox: its netns and CNI identity.
type pod struct {
	ns          ns.NetNS
	name, uid   string
	containerID string
}

func (e *netnsEnv) newPod(t testing.TB, name string) *pod {
	t.Helper()
	return &pod{ns: utils.NewNS(t), name: name, uid: "uid-" + name + "-" + e.suffix, containerID: "ctr-" + name + "-" + e.suffix}
}

func (p *pod) rt(ifName string) *libcni.RuntimeConf {
	return &libcni.RuntimeConf{
		ContainerID: p.containerID, NetNS: p.ns.Path(), IfName: ifName,
		Args: [][2]string{
			{"IgnoreUnknown", "1"}, {"K8S_POD_NAMESPACE", "default"}, {"K8S_POD_NAME", p.name},
			{"K8S_POD_UID", p.uid}, {"K8S_POD_INFRA_CONTAINER_ID", p.containerID},
		},
	}
}

func (e *netnsEnv) mustAdd(t *testing.T, list *libcni.NetworkConfigList, rt *libcni.RuntimeConf) *types100.Result {
	t.Helper()
	res, err := e.Add(t, list, rt)
	if err != nil {
		t.Fatalf("ADD %s %s: %v", list.Name, rt.IfName, err)
	}
	if res.Version() != list.CNIVersion {
		t.Errorf("result version %s, want %s", res.Version(), list.CNIVersion)
	}
	current, err := types100.NewResultFromResult(res)
	if err != nil {
		t.Fatalf("convert the result: %v", err)
	}
	return current
}

func (e *netnsEnv) check(t *testing.T, list *libcni.NetworkConfigList, rt *libcni.RuntimeConf) error {
	t.Helper()
	return e.Do(t, func() error { return e.CNI.CheckNetworkList(t.Context(), list, rt) })
}

func (e *netnsEnv) status(t *testing.T, list *libcni.NetworkConfigList) error {
	t.Helper()
	return e.Do(t, func() error { return e.CNI.GetStatusNetworkList(t.Context(), list) })
}

func (e *netnsEnv) gc(t *testing.T, list *libcni.NetworkConfigList, valid ...types.GCAttachment) error {
	t.Helper()
	return e.Do(t, func() error {
		return e.CNI.GCNetworkList(t.Context(), list, &libcni.GCArgs{ValidAttachments: valid})
	})
}

// addrsOf lists the global addresses of an interface inside a pod.
func addrsOf(t *testing.T, p *pod, ifName string) []string {
	t.Helper()
	var out []string
	err := p.ns.Do(func(ns.NetNS) error {
		link, err := netlinksafe.LinkByName(ifName)
		if err != nil {
			return err
		}
		addrs, err := netlinksafe.AddrList(link, netlink.FAMILY_ALL)
		for _, a := range addrs {
			if a.IP.IsGlobalUnicast() {
				out = append(out, a.IPNet.String())
			}
		}
		return err
	})
	if err != nil {
		t.Fatalf("addresses of %s: %v", ifName, err)
	}
	return out
}

// removeAddr deletes an address from a pod interface.
func removeAddr(t *testing.T, p *pod, ifName, cidr string) {
	t.Helper()
	err := p.ns.Do(func(ns.NetNS) error {
		link, err := netlinksafe.LinkByName(ifName)
		if err != nil {
			return err
		}
		addr, err := netlink.ParseAddr(cidr)
		if err != nil {
			return err
		}
		return netlink.AddrDel(link, addr)
	})
	if err != nil {
		t.Fatalf("remove %s from %s: %v", cidr, ifName, err)
	}
}

// ipsOf lists a result's addresses.
func ipsOf(res *types100.Result) []string {
	var out []string
	for _, ip := range res.IPs {
		out = append(out, ip.Address.String())
	}
	return out
}

// cniCode is the code of a *types.Error, or 0.
func cniCode(err error) uint {
	var e *types.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}
