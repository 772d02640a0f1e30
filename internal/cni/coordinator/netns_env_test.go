// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/containernetworking/cni/libcni"
	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/agentserver"
	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// The node of the netns tests: a host netns whose "eth0" (a veth) is the
// macvlan master and holds the node's addresses in the pods' subnets.
const masterName = "eth0"

var nodeAddrs = []string{"10.6.0.1/16", "10.7.0.1/16", "fd06::1/64", "fd07::1/64"}

// fakeAgent serves the coordinator configuration; its IPAM methods are
// never called (the tests use the static IPAM plugin).
type fakeAgent struct {
	mu   sync.Mutex
	conf *agentapi.CoordinatorConfig
	err  error
}

func (a *fakeAgent) set(conf *agentapi.CoordinatorConfig, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.conf, a.err = conf, err
}

func (a *fakeAgent) CoordinatorConfig(context.Context, *agentapi.CoordinatorRequest) (*agentapi.CoordinatorConfig, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.conf, a.err
}

func (a *fakeAgent) Healthy(context.Context) error { return nil }
func (a *fakeAgent) Allocate(context.Context, *agentapi.AddRequest) (*agentapi.AddResponse, error) {
	return nil, errors.New("not used")
}
func (a *fakeAgent) Release(context.Context, *agentapi.DelRequest) error         { return nil }
func (a *fakeAgent) ReleaseAll(context.Context, *agentapi.BatchDelRequest) error { return nil }
func (a *fakeAgent) GC(context.Context, *agentapi.GCRequest) error               { return nil }
func (a *fakeAgent) Check(context.Context, *agentapi.CheckRequest) (*agentapi.CheckResponse, error) {
	return nil, errors.New("not used")
}

// defaultAgentConfig is a Synced SpiderCoordinator as the agent sends it.
func defaultAgentConfig() *agentapi.CoordinatorConfig {
	return &agentapi.CoordinatorConfig{
		Mode: "auto", OverlayPodCIDR: []string{}, ServiceCIDR: []string{"10.96.0.0/12", "fd96::/108"},
		HijackCIDR: []string{"169.254.0.0/16"}, TunePodRoutes: true, HostRuleTable: 500,
	}
}

// netnsEnv is a throw-away node with the coordinator binary, macvlan and
// static IPAM, and a fake agent on the socket the plugin dials.
type netnsEnv struct {
	*utils.CNIHost
	agent  *fakeAgent
	suffix string
	binDir string
}

// newNetnsEnv needs root and the reference plugins; it skips otherwise.
func newNetnsEnv(t *testing.T) *netnsEnv {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("netns tests need root")
	}
	pluginsDir := utils.CNIPluginsDir(t, "macvlan", "static")
	binDir := t.TempDir()
	utils.BuildCommand(t, "./cmd/coordinator", binDir, "coordinator")
	root := t.TempDir()
	t.Setenv(netconf.EnvRoot, root) // libcni passes the test's environment to the plugin
	env := &netnsEnv{suffix: utils.RandomSuffix(t), agent: &fakeAgent{conf: defaultAgentConfig()}, binDir: binDir}
	startAgent(t, filepath.Join(netconf.RootsUnder(root).Socket, "spiderpool.sock"), env.agent)
	env.CNIHost = utils.NewCNIHost(t, masterName, "peer"+env.suffix[:6], binDir, pluginsDir)
	if err := env.Do(t, addNodeAddrs); err != nil {
		t.Fatalf("address the master veth: %v", err)
	}
	return env
}

// addNodeAddrs gives eth0 the node addresses, without DAD.
func addNodeAddrs() error {
	master, err := netlinksafe.LinkByName(masterName)
	if err != nil {
		return err
	}
	for _, a := range nodeAddrs {
		addr, err := netlink.ParseAddr(a)
		if err != nil {
			return err
		}
		addr.Flags = unix.IFA_F_NODAD
		if err := netlink.AddrAdd(master, addr); err != nil {
			return err
		}
	}
	return nil
}

func startAgent(t *testing.T, sock string, a *fakeAgent) {
	t.Helper()
	l, err := agentapi.Listen(sock)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	srv := agentserver.New(a)
	srv.HandleCoordinator(a)
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
}

// network is a conflist: macvlan on the master with static addresses
// (and routes), then the coordinator with extra fields.
func (e *netnsEnv) network(t *testing.T, name string, addrs []string, routes []map[string]string, coord map[string]any) *libcni.NetworkConfigList {
	t.Helper()
	var list []map[string]string
	for _, a := range addrs {
		list = append(list, map[string]string{"address": a})
	}
	if coord == nil {
		coord = map[string]any{}
	}
	coord["type"] = "coordinator"
	doc := map[string]any{"cniVersion": "1.0.0", "name": name, "plugins": []any{
		map[string]any{"type": "macvlan", "master": masterName, "mode": "bridge",
			"ipam": map[string]any{"type": "static", "addresses": list, "routes": routes}},
		coord,
	}}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	conf, err := libcni.ConfListFromBytes(data)
	if err != nil {
		t.Fatalf("conflist %s: %v", data, err)
	}
	return conf
}

// pod is a pod sandbox: its netns and CNI identity.
type pod struct {
	ns          ns.NetNS
	name        string
	containerID string
}

func (e *netnsEnv) newPod(t *testing.T, name string) *pod {
	t.Helper()
	return &pod{ns: utils.NewNS(t), name: name, containerID: "c" + e.suffix + "-" + name}
}

func (p *pod) rt(ifName string) *libcni.RuntimeConf {
	return &libcni.RuntimeConf{
		ContainerID: p.containerID, NetNS: p.ns.Path(), IfName: ifName,
		Args: [][2]string{{"IgnoreUnknown", "1"}, {"K8S_POD_NAMESPACE", "default"}, {"K8S_POD_NAME", p.name}},
	}
}

func (e *netnsEnv) mustAdd(t *testing.T, list *libcni.NetworkConfigList, rt *libcni.RuntimeConf) *types100.Result {
	t.Helper()
	res, err := e.Add(t, list, rt)
	if err != nil {
		t.Fatalf("ADD %s %s: %v", list.Name, rt.IfName, err)
	}
	current, err := types100.NewResultFromResult(res)
	if err != nil {
		t.Fatalf("convert the result: %v", err)
	}
	return current
}
