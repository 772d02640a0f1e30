// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/plugins/pkg/ns"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/coordinator"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// wantMatch fails for every substring no line contains.
func (s *snapshot) wantMatch(t *testing.T, where string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		found := false
		for _, l := range s.lines {
			found = found || strings.Contains(l, sub)
		}
		if !found {
			t.Errorf("%s has no line with %q; it has:\n  %s", where, sub, strings.Join(s.lines, "\n  "))
		}
	}
}

// gateway routes of the static IPAM plugin.
func defaultVia(gw string) []map[string]string {
	return []map[string]string{{"dst": "0.0.0.0/0", "gw": gw}}
}

// testTwoNICs: net1 gets its own table with a rule from its address; its
// default route leaves main, where eth0's stays; the node reaches both.
func testTwoNICs(t *testing.T, env *netnsEnv) {
	netA := env.network(t, "net-a2", []string{"10.6.0.20/16"}, defaultVia("10.6.0.254"), nil)
	netB := env.network(t, "net-b2", []string{"10.7.0.20/16"}, defaultVia("10.7.0.254"), nil)
	p := env.newPod(t, "two")
	env.mustAdd(t, netA, p.rt("eth0"))
	env.mustAdd(t, netB, p.rt("net1"))
	pod, host := take(t, p.ns), take(t, env.NS)
	hostVeth := coordinator.HostVethName(p.containerID)
	pod.want(t, "pod",
		"route default via 10.6.0.254 dev eth0 table 254",
		"route default via 10.7.0.254 dev net1 table 101",
		"route 10.7.0.0/16 dev net1 table 101",
		"route 10.7.0.0/16 dev net1 table 254",
		"route 10.7.0.1/32 dev veth0 table 101")
	pod.wantMatch(t, "pod", " from 10.7.0.20/32 lookup 101")
	pod.wantNone(t, "pod", "default via 10.7.0.254 dev net1 table 254")
	host.want(t, "node", "route 10.7.0.20/32 dev "+hostVeth+" table 500",
		"neigh 10.7.0.20 lladdr "+pod.mac(t, "veth0")+" dev "+hostVeth)
	reach(t, env, p, "10.6.0.20")
	reach(t, env, p, "10.7.0.20")
	env.MustDel(t, netB, p.rt("net1"))
	// eth0 keeps the pair; only net1's routes and neighbours went.
	after := take(t, env.NS)
	after.want(t, "node after DEL of net1", "route 10.6.0.20/32 dev "+hostVeth+" table 500")
	after.wantNone(t, "node after DEL of net1", "10.7.0.20/", "neigh 10.7.0.20 ")
	reach(t, env, p, "10.6.0.20")
	env.MustDel(t, netA, p.rt("eth0"))
	take(t, env.NS).wantNone(t, "node after DEL", hostVeth, "10.6.0.20/", "10.7.0.20/")
}

// testDefaultRouteNIC: podDefaultRouteNIC (or the pod's
// ipam.spidernet.io/default-route-nic, which the agent folds in) gives
// net1 the main default route; eth0's moves into net1's table.
func testDefaultRouteNIC(t *testing.T, env *netnsEnv) {
	conf := defaultAgentConfig()
	conf.PodDefaultRouteNIC = "net1"
	env.agent.set(conf, nil)
	defer env.agent.set(defaultAgentConfig(), nil)
	netA := env.network(t, "net-a3", []string{"10.6.0.21/16"}, defaultVia("10.6.0.254"), nil)
	netB := env.network(t, "net-b3", []string{"10.7.0.21/16"}, defaultVia("10.7.0.254"), nil)
	p := env.newPod(t, "drn")
	env.mustAdd(t, netA, p.rt("eth0"))
	env.mustAdd(t, netB, p.rt("net1"))
	pod := take(t, p.ns)
	pod.want(t, "pod", "route default via 10.7.0.254 dev net1 table 254", "route default via 10.6.0.254 dev eth0 table 101")
	pod.wantMatch(t, "pod", " from 10.6.0.21/32 lookup 101")
	pod.wantNone(t, "pod", "default via 10.6.0.254 dev eth0 table 254")
	env.MustDel(t, netB, p.rt("net1"))
	env.MustDel(t, netA, p.rt("eth0"))
}

// testMACPrefix: the NIC's MAC becomes the prefix and the low four bytes
// of its first address.
func testMACPrefix(t *testing.T, env *netnsEnv) {
	net := env.network(t, "net-mac", []string{"10.6.0.30/16", "fd06::1e/64"}, nil, map[string]any{"podMACPrefix": "0a:1b"})
	p := env.newPod(t, "mac")
	env.mustAdd(t, net, p.rt("eth0"))
	if got := take(t, p.ns).mac(t, "eth0"); got != "0a:1b:0a:06:00:1e" {
		t.Errorf("eth0 MAC %s, want 0a:1b:0a:06:00:1e", got)
	}
	reach(t, env, p, "10.6.0.30")
	env.MustDel(t, net, p.rt("eth0"))
}

// testBadInput: a bad value fails ADD with code 7 naming the field, and a
// failure after the veth pair was made removes it: nothing of the pod is
// left on the node or half-made in the pod.
func testBadInput(t *testing.T, env *netnsEnv) {
	tests := []struct {
		name  string
		coord map[string]any
		agent func(*agentapi.CoordinatorConfig)
		code  uint
		text  string
	}{
		{"MAC prefix", map[string]any{"podMACPrefix": "01:00"}, nil, types.ErrInvalidNetworkConfig, `"podMACPrefix"`},
		{"mode", map[string]any{"mode": "bridge"}, nil, types.ErrInvalidNetworkConfig, `"mode"`},
		{"CR mode", nil, func(c *agentapi.CoordinatorConfig) { c.Mode = "hybrid" }, types.ErrInvalidNetworkConfig, `"mode" (from the SpiderCoordinator)`},
		{"CIDR", map[string]any{"serviceCIDR": []string{"10.96.0.0/33"}}, nil, types.ErrInvalidNetworkConfig, `"serviceCIDR[0]"`},
		{"rp_filter", map[string]any{"podRPFilter": 3}, nil, types.ErrInvalidNetworkConfig, `"podRPFilter"`},
		{"unreachable policy route", map[string]any{"policyRoutes": []map[string]string{{"dst": "10.9.0.0/16", "gw": "192.0.2.1"}}},
			nil, types.ErrInternal, "10.9.0.0/16"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conf := defaultAgentConfig()
			if tt.agent != nil {
				tt.agent(conf)
			}
			env.agent.set(conf, nil)
			defer env.agent.set(defaultAgentConfig(), nil)
			net := env.network(t, "net-bad", []string{"10.6.1." + string(rune('1'+i)) + "/16"}, nil, tt.coord)
			p := env.newPod(t, "bad")
			_, err := env.Add(t, net, p.rt("eth0"))
			var e *types.Error
			if !errors.As(err, &e) || e.Code != tt.code || !strings.Contains(e.Msg, tt.text) {
				t.Fatalf("ADD: got %v, want code %d mentioning %s", err, tt.code, tt.text)
			}
			take(t, env.NS).wantNone(t, "node", coordinator.HostVethName(p.containerID), "10.6.1.")
			take(t, p.ns).wantNone(t, "pod", "veth0")
			env.MustDel(t, net, p.rt("eth0"))
		})
	}
}

// testDelWithoutNetns: DEL after the pod's netns is gone still removes
// the host veth and the node's routes to the pod (Spiderpool #5735).
func testDelWithoutNetns(t *testing.T, env *netnsEnv) {
	net := env.network(t, "net-gone", []string{"10.6.0.40/16"}, nil, nil)
	p := env.newPod(t, "gone")
	env.mustAdd(t, net, p.rt("eth0"))
	hostVeth := coordinator.HostVethName(p.containerID)
	take(t, env.NS).want(t, "node", "route 10.6.0.40/32 dev "+hostVeth+" table 500")
	// The netns path goes but the namespace lives on (something still
	// holds it, as a dying sandbox may), so its veth pair does too: only
	// DEL can remove the node side.
	held, err := ns.GetNS(p.ns.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = held.Close() }()
	rt := p.rt("eth0")
	utils.RemoveNS(t, p.ns)
	rt.NetNS = ""
	take(t, env.NS).want(t, "node before DEL", "route 10.6.0.40/32 dev "+hostVeth+" table 500")
	env.agent.set(nil, agentapi.NewError(agentapi.CodeNotFound, "no SpiderCoordinator exists"))
	defer env.agent.set(defaultAgentConfig(), nil)
	env.MustDel(t, net, rt)
	take(t, env.NS).wantNone(t, "node after DEL", hostVeth, "10.6.0.40/")
}

// testDisabled: both spellings pass prevResult through untouched.
func testDisabled(t *testing.T, env *netnsEnv) {
	for _, mode := range []string{"disable", "disabled"} {
		net := env.network(t, "net-off", []string{"10.6.0.50/16"}, nil, map[string]any{"mode": mode})
		p := env.newPod(t, "off-"+mode)
		res := env.mustAdd(t, net, p.rt("eth0"))
		if len(res.IPs) != 1 || res.IPs[0].Address.String() != "10.6.0.50/16" {
			t.Errorf("mode %s: result %v, want macvlan's 10.6.0.50/16", mode, res)
		}
		take(t, p.ns).wantNone(t, "pod", "veth0")
		env.MustDel(t, net, p.rt("eth0"))
	}
}

// testAgentNotSynced: the agent's refusal is "try again later" (11) with
// the agent's message naming the SpiderCoordinator.
func testAgentNotSynced(t *testing.T, env *netnsEnv) {
	env.agent.set(nil, agentapi.NewError(agentapi.CodeNotReady, `SpiderCoordinator "default" is not Synced`))
	defer env.agent.set(defaultAgentConfig(), nil)
	net := env.network(t, "net-wait", []string{"10.6.0.60/16"}, nil, nil)
	p := env.newPod(t, "wait")
	_, err := env.Add(t, net, p.rt("eth0"))
	var e *types.Error
	if !errors.As(err, &e) || e.Code != types.ErrTryAgainLater || !strings.Contains(e.Msg, `SpiderCoordinator "default"`) {
		t.Errorf("ADD: got %v, want code 11 naming the SpiderCoordinator", err)
	}
	env.MustDel(t, net, p.rt("eth0"))
}
