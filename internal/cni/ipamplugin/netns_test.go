// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/ipamplugin"
	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
)

// TestNetns drives the plugin binary through libcni and macvlan, as a
// container runtime does, against a fake agent served by agentserver.Server.
func TestNetns(t *testing.T) {
	env := newNetnsEnv(t)
	t.Run("SingleNIC", func(t *testing.T) { testSingleNIC(t, env) })
	t.Run("DualStack", func(t *testing.T) { testDualStack(t, env) })
	t.Run("TwoNICs", func(t *testing.T) { testTwoNICs(t, env) })
	t.Run("EverySpecVersion", func(t *testing.T) { testEverySpecVersion(t, env) })
	t.Run("CheckDetectsRemovedAddress", func(t *testing.T) { testCheckRemovedAddress(t, env) })
	t.Run("GC", func(t *testing.T) { testGC(t, env) })
	t.Run("Status", func(t *testing.T) { testStatus(t, env) })
	t.Run("AddAgentDown", func(t *testing.T) { testAddAgentDown(t, env) })
	t.Run("BadConfig", func(t *testing.T) { testBadConfig(t, env) })
	t.Run("DelAgentDownQueues", func(t *testing.T) { testDelAgentDownQueues(t, env) })
	t.Run("DelTakesAddressesOffFirst", func(t *testing.T) { testDelTakesAddressesOffFirst(t, env) })
	t.Run("SocketOutsideIgnored", func(t *testing.T) { testSocketOutsideIgnored(t, env) })
}

// testSocketOutsideIgnored (review #16): a configuration whose socket is
// outside the socket directory still works, through the node's default
// socket, and nothing is created where it pointed.
func testSocketOutsideIgnored(t *testing.T, env *netnsEnv) {
	agent := startAgentAt(t, filepath.Join(netconf.RootsUnder(env.root).Socket, "spiderpool.sock"))
	elsewhere := t.TempDir()
	net := env.network(t, "net-a", "1.1.0", map[string]any{
		"ipam_unix_socket_path": filepath.Join(elsewhere, "x", "spiderpool.sock"), "default_ipv4_ippool": []string{"v4a"},
	})
	p := env.newPod(t, "elsewhere")
	env.mustAdd(t, net, p.rt("eth0"))
	if got := agent.Allocated(); len(got) != 1 {
		t.Errorf("the default agent holds %v, want the pod's address", got)
	}
	agent.stop()
	env.MustDel(t, net, p.rt("eth0")) // queued next to the default socket
	if n, err := agentapi.NewReleaseQueue(agentapi.ReleaseQueueDir(agent.socket), 0).Len(); err != nil || n != 1 {
		t.Errorf("default queue holds %d, %v; want the release", n, err)
	}
	if entries, err := os.ReadDir(elsewhere); err != nil || len(entries) != 0 {
		t.Errorf("created %v (%v) where the ignored socket pointed", entries, err)
	}
}

// testDelTakesAddressesOffFirst: macvlan calls IPAM DEL before it deletes
// the interface; by the time the agent frees the addresses they must be off
// the interface, or their next holder fails IPv6 DAD.
func testDelTakesAddressesOffFirst(t *testing.T, env *netnsEnv) {
	agent := env.startAgent(t)
	net := env.network(t, "net-off", "1.1.0", map[string]any{
		"ipam_unix_socket_path": agent.socket,
		"default_ipv4_ippool":   []string{"v4a"}, "default_ipv6_ippool": []string{"v6a"},
	})
	p := env.newPod(t, "off")
	env.mustAdd(t, net, p.rt("eth0"))
	var atRelease [][]string
	agent.onRelease = func(*agentapi.DelRequest) { atRelease = append(atRelease, addrsOf(t, p, "eth0")) }
	env.MustDel(t, net, p.rt("eth0"))
	if len(atRelease) != 1 || len(atRelease[0]) != 0 {
		t.Errorf("global addresses on eth0 when the agent was asked to release: %v, want none", atRelease)
	}
	if got := agent.Allocated(); len(got) != 0 {
		t.Errorf("left allocated after DEL: %v", got)
	}
}

func testSingleNIC(t *testing.T, env *netnsEnv) {
	agent := env.startAgent(t)
	net := env.network(t, "net-a", "1.0.0", map[string]any{
		"ipam_unix_socket_path": agent.socket, "default_ipv4_ippool": []string{"v4a"},
	})
	p := env.newPod(t, "single")
	res := env.mustAdd(t, net, p.rt("eth0"))
	if diff := cmp.Diff([]string{"10.250.0.10/24"}, ipsOf(res)); diff != "" {
		t.Errorf("result addresses (-want +got):\n%s", diff)
	}
	if got := res.IPs[0].Gateway.String(); got != "10.250.0.1" {
		t.Errorf("gateway %s, want 10.250.0.1", got)
	}
	if len(res.Routes) != 1 || res.Routes[0].Dst.String() != "0.0.0.0/0" {
		t.Errorf("routes %v, want the default route", res.Routes)
	}
	if diff := cmp.Diff([]string{"10.250.0.10/24"}, addrsOf(t, p, "eth0")); diff != "" {
		t.Errorf("addresses in the pod (-want +got):\n%s", diff)
	}
	if err := env.check(t, net, p.rt("eth0")); err != nil {
		t.Errorf("CHECK: %v", err)
	}
	env.MustDel(t, net, p.rt("eth0"))
	env.MustDel(t, net, p.rt("eth0")) // idempotent
	if got := agent.Allocated(); len(got) != 0 {
		t.Errorf("left allocated after DEL: %v", got)
	}
}

func testDualStack(t *testing.T, env *netnsEnv) {
	agent := env.startAgent(t)
	net := env.network(t, "net-ds", "1.1.0", map[string]any{
		"ipam_unix_socket_path": agent.socket,
		"default_ipv4_ippool":   []string{"v4a"}, "default_ipv6_ippool": []string{"v6a"},
	})
	p := env.newPod(t, "dual")
	res := env.mustAdd(t, net, p.rt("eth0"))
	want := []string{"10.250.0.10/24", "fd00:250::10/64"}
	if diff := cmp.Diff(want, ipsOf(res)); diff != "" {
		t.Errorf("result addresses (-want +got):\n%s", diff)
	}
	got := addrsOf(t, p, "eth0")
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("addresses in the pod (-want +got):\n%s", diff)
	}
	if err := env.check(t, net, p.rt("eth0")); err != nil {
		t.Errorf("CHECK: %v", err)
	}
	env.MustDel(t, net, p.rt("eth0"))
	if got := agent.Allocated(); len(got) != 0 {
		t.Errorf("left allocated after DEL: %v", got)
	}
}

func testTwoNICs(t *testing.T, env *netnsEnv) {
	agent := env.startAgent(t)
	netA := env.network(t, "net-a", "1.0.0", map[string]any{
		"ipam_unix_socket_path": agent.socket, "default_ipv4_ippool": []string{"v4a"},
	})
	netB := env.network(t, "net-b", "1.0.0", map[string]any{
		"ipam_unix_socket_path": agent.socket, "default_ipv4_ippool": []string{"v4b"}, "clean_gateway": true,
	})
	p := env.newPod(t, "twonic")
	resA := env.mustAdd(t, netA, p.rt("eth0"))
	resB := env.mustAdd(t, netB, p.rt("net1"))
	if diff := cmp.Diff([]string{"10.250.0.10/24"}, ipsOf(resA)); diff != "" {
		t.Errorf("eth0 result (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"10.251.0.10/24"}, ipsOf(resB)); diff != "" {
		t.Errorf("net1 result (-want +got):\n%s", diff)
	}
	if len(resB.Routes) != 0 {
		t.Errorf("net1 cleans its gateway but got routes %v", resB.Routes)
	}
	if diff := cmp.Diff([]string{"10.251.0.10/24"}, addrsOf(t, p, "net1")); diff != "" {
		t.Errorf("net1 addresses in the pod (-want +got):\n%s", diff)
	}
	if err := env.check(t, netA, p.rt("eth0")); err != nil {
		t.Errorf("CHECK eth0: %v", err)
	}
	if err := env.check(t, netB, p.rt("net1")); err != nil {
		t.Errorf("CHECK net1: %v", err)
	}
	env.MustDel(t, netB, p.rt("net1"))
	env.MustDel(t, netA, p.rt("eth0"))
	if got := agent.Allocated(); len(got) != 0 {
		t.Errorf("left allocated after DEL: %v", got)
	}
}

func testEverySpecVersion(t *testing.T, env *netnsEnv) {
	agent := env.startAgent(t)
	for _, v := range []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"} {
		t.Run(v, func(t *testing.T) {
			net := env.network(t, "net-v"+strings.ReplaceAll(v, ".", ""), v, map[string]any{
				"ipam_unix_socket_path": agent.socket,
				"default_ipv4_ippool":   []string{"v4a"}, "default_ipv6_ippool": []string{"v6a"},
			})
			p := env.newPod(t, "v"+strings.ReplaceAll(v, ".", ""))
			res := env.mustAdd(t, net, p.rt("eth0"))
			if len(res.IPs) != 2 {
				t.Errorf("result addresses %v, want one of each family", ipsOf(res))
			}
			if testutils.SpecVersionHasCHECK(v) {
				if err := env.check(t, net, p.rt("eth0")); err != nil {
					t.Errorf("CHECK: %v", err)
				}
			}
			if testutils.SpecVersionHasSTATUS(v) {
				if err := env.status(t, net); err != nil {
					t.Errorf("STATUS: %v", err)
				}
			}
			env.MustDel(t, net, p.rt("eth0"))
			env.MustDel(t, net, p.rt("eth0"))
			if got := agent.Allocated(); len(got) != 0 {
				t.Errorf("left allocated after DEL: %v", got)
			}
		})
	}
}

func testCheckRemovedAddress(t *testing.T, env *netnsEnv) {
	agent := env.startAgent(t)
	net := env.network(t, "net-a", "1.0.0", map[string]any{
		"ipam_unix_socket_path": agent.socket, "default_ipv4_ippool": []string{"v4a"},
	})
	p := env.newPod(t, "flushed")
	res := env.mustAdd(t, net, p.rt("eth0"))
	addr := res.IPs[0].Address.String()
	removeAddr(t, p, "eth0", addr)
	err := env.check(t, net, p.rt("eth0"))
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Errorf("CHECK after removing %s: got %v, want an error naming it", addr, err)
	}
	env.MustDel(t, net, p.rt("eth0"))
}

// testGC collects through a conflist whose plugin is spiderpool itself:
// macvlan v1.9.1 does not pass GC on to its IPAM plugin ("FIXME GC").
func testGC(t *testing.T, env *netnsEnv) {
	agent := env.startAgent(t)
	net := env.network(t, "net-a", "1.1.0", map[string]any{
		"ipam_unix_socket_path": agent.socket, "default_ipv4_ippool": []string{"v4a"},
	})
	pods := []*pod{env.newPod(t, "gc-keep"), env.newPod(t, "gc-drop1"), env.newPod(t, "gc-drop2")}
	for _, p := range pods {
		env.mustAdd(t, net, p.rt("eth0"))
	}
	gcList := env.conflist(t, map[string]any{
		"cniVersion": "1.1.0", "name": "net-gc-" + env.suffix,
		"plugins": []any{map[string]any{"type": "spiderpool", "ipam": map[string]any{
			"type": "spiderpool", "ipam_unix_socket_path": agent.socket,
		}}},
	})
	keep := types.GCAttachment{ContainerID: pods[0].containerID, IfName: "eth0"}
	if err := env.gc(t, gcList, keep); err != nil {
		t.Fatalf("GC: %v", err)
	}
	want := []string{fmt.Sprintf("%s/eth0/10.250.0.10/24", pods[0].containerID)}
	if diff := cmp.Diff(want, agent.Allocated()); diff != "" {
		t.Errorf("allocations after GC (-want +got):\n%s", diff)
	}
	for _, p := range pods {
		env.MustDel(t, net, p.rt("eth0"))
	}
}

func testStatus(t *testing.T, env *netnsEnv) {
	agent := env.startAgent(t)
	net := env.network(t, "net-a", "1.1.0", map[string]any{"ipam_unix_socket_path": agent.socket})
	if err := env.status(t, net); err != nil {
		t.Errorf("STATUS with the agent ready: %v", err)
	}
	agent.notReady.Store(true)
	if err := env.status(t, net); cniCode(err) != ipamplugin.ErrPluginNotAvailable || !strings.Contains(err.Error(), "restoring") {
		t.Errorf("STATUS with the agent not ready: got %v, want code 50 with the reason", err)
	}
	agent.stop()
	if err := env.status(t, net); cniCode(err) != ipamplugin.ErrPluginNotAvailable {
		t.Errorf("STATUS with the agent down: got %v, want code 50", err)
	}
}

func testAddAgentDown(t *testing.T, env *netnsEnv) {
	net := env.network(t, "net-a", "1.0.0", map[string]any{
		"ipam_unix_socket_path": filepath.Join(netconf.RootsUnder(env.root).Socket, "gone", "gone.sock"), "default_ipv4_ippool": []string{"v4a"},
	})
	p := env.newPod(t, "down")
	_, err := env.Add(t, net, p.rt("eth0"))
	if cniCode(err) != types.ErrTryAgainLater || !strings.Contains(err.Error(), "gone.sock") {
		t.Errorf("ADD with the agent down: got %v, want code 11 naming the socket", err)
	}
	env.MustDel(t, net, p.rt("eth0"))
}

func testBadConfig(t *testing.T, env *netnsEnv) {
	agent := env.startAgent(t)
	net := env.network(t, "net-a", "1.0.0", map[string]any{
		"ipam_unix_socket_path": agent.socket, "log_level": "loud",
	})
	p := env.newPod(t, "badconf")
	_, err := env.Add(t, net, p.rt("eth0"))
	if cniCode(err) != types.ErrInvalidNetworkConfig || !strings.Contains(err.Error(), "ipam.log_level") {
		t.Errorf("ADD with a bad log_level: got %v, want code 7 naming the field", err)
	}
}

func testDelAgentDownQueues(t *testing.T, env *netnsEnv) {
	agent := env.startAgent(t)
	net := env.network(t, "net-a", "1.0.0", map[string]any{
		"ipam_unix_socket_path": agent.socket, "default_ipv4_ippool": []string{"v4a"},
	})
	p := env.newPod(t, "queued")
	env.mustAdd(t, net, p.rt("eth0"))
	agent.stop()
	env.MustDel(t, net, p.rt("eth0"))

	// The restarted agent drains the queue next to its socket.
	var drained []agentapi.DelRequest
	queue := agentapi.NewReleaseQueue(agentapi.ReleaseQueueDir(agent.socket), 0)
	rep, err := queue.Drain(func(r agentapi.QueuedRelease) error {
		drained = append(drained, r.DelRequest)
		return agent.Release(t.Context(), &r.DelRequest)
	})
	if err != nil || rep.Released != 1 {
		t.Fatalf("Drain: %+v, %v", rep, err)
	}
	want := []agentapi.DelRequest{{
		ContainerID: p.containerID, IfName: "eth0", NetNamespace: p.ns.Path(),
		PodNamespace: "default", PodName: p.name, PodUID: p.uid,
	}}
	if diff := cmp.Diff(want, drained); diff != "" {
		t.Errorf("drained (-want +got):\n%s", diff)
	}
	if got := agent.Allocated(); len(got) != 0 {
		t.Errorf("left allocated after the drain: %v", got)
	}
}
