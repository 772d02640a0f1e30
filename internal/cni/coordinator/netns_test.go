// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator_test

import (
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"

	"github.com/spiderpool-go/spiderpool/internal/cni/coordinator"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestNetns drives the built coordinator after the real macvlan plugin
// through libcni, as a container runtime does, and checks the links,
// addresses, routes, rules, neighbours and nftables rules on both sides.
func TestNetns(t *testing.T) {
	env := newNetnsEnv(t)
	t.Run("UnderlayIPv4", func(t *testing.T) { testUnderlay(t, env, "v4", []string{"10.6.0.10/16"}) })
	t.Run("UnderlayIPv6", func(t *testing.T) { testUnderlay(t, env, "v6", []string{"fd06::10/64"}) })
	t.Run("UnderlayDualStack", func(t *testing.T) { testUnderlay(t, env, "ds", []string{"10.6.0.11/16", "fd06::11/64"}) })
	t.Run("SLAAC", func(t *testing.T) { testSLAAC(t, env) })
	t.Run("TwoNICs", func(t *testing.T) { testTwoNICs(t, env) })
	t.Run("Overlay", func(t *testing.T) { testOverlay(t, env) })
	t.Run("DefaultRouteNIC", func(t *testing.T) { testDefaultRouteNIC(t, env) })
	t.Run("MACPrefix", func(t *testing.T) { testMACPrefix(t, env) })
	t.Run("BadInput", func(t *testing.T) { testBadInput(t, env) })
	t.Run("DelWithoutNetns", func(t *testing.T) { testDelWithoutNetns(t, env) })
	t.Run("Disabled", func(t *testing.T) { testDisabled(t, env) })
	t.Run("AgentNotSynced", func(t *testing.T) { testAgentNotSynced(t, env) })
}

// family picks the IPv4 or the IPv6 form of a value.
func pickFamily(v6 bool, v4s, v6s string) string {
	if v6 {
		return v6s
	}
	return v4s
}

// testUnderlay: ADD on eth0 makes the veth pair, the routes to the node,
// the hijack routes, the reply marking and the node's table 500; DEL
// leaves nothing of the pod on the node.
func testUnderlay(t *testing.T, env *netnsEnv, name string, addrs []string) {
	net := env.network(t, "net-"+name, addrs, nil, map[string]any{
		"podRPFilter": 2, "txQueueLen": 2000, "vethMTU": 1400, "vethLinkAddress": "169.254.100.1",
	})
	p := env.newPod(t, name)
	env.mustAdd(t, net, p.rt("eth0"))
	pod, host := take(t, p.ns), take(t, env.NS)
	hostVeth := coordinator.HostVethName(p.containerID)
	podMAC, hostMAC := pod.mac(t, "veth0"), host.mac(t, hostVeth)
	pod.want(t, "pod", "link veth0 veth mtu 1400 txqlen 0 alias \"\"", "link eth0 macvlan mtu 1500 txqlen 2000 alias \"\"",
		"sysctl net/ipv4/conf/all/rp_filter=2")
	host.want(t, "node", fmt.Sprintf("link %s veth mtu 1400 txqlen 0 alias %q", hostVeth, coordinator.VethAliasPrefix+p.containerID))
	for _, a := range addrs {
		ip, v6 := a[:len(a)-3], a[0] == 'f'
		hostIP := pickFamily(v6, "10.6.0.1", "fd06::1")
		bits := pickFamily(v6, "/32", "/128")
		pod.want(t, "pod",
			"route "+hostIP+bits+" dev veth0 table 254",
			"route "+hostIP+bits+" dev veth0 table 101",
			"route "+hostIP+bits+" dev veth0 table 100",
			"route "+pickFamily(v6, "10.96.0.0/12", "fd96::/108")+" via "+hostIP+" dev veth0 table 254",
			"route default via "+hostIP+" dev veth0 table 100",
			"rule 1000 fwmark 0x1 lookup 100",
			"neigh "+hostIP+" lladdr "+hostMAC+" dev veth0",
			"nft "+pickFamily(v6, "2", "10")+" spiderpool-coordinator prerouting rules 2",
			"nft "+pickFamily(v6, "2", "10")+" spiderpool-coordinator output rules 1")
		host.want(t, "node",
			"rule 1000 lookup 500",
			"route "+ip+bits+" dev "+hostVeth+" table 500",
			"neigh "+ip+" lladdr "+podMAC+" dev "+hostVeth)
		if !v6 {
			pod.want(t, "pod", "addr 169.254.100.1/32 dev veth0", "route 169.254.0.0/16 via 10.6.0.1 dev veth0 table 254")
		}
		reach(t, env, p, ip)
	}
	env.MustDel(t, net, p.rt("eth0"))
	take(t, env.NS).wantNone(t, "node after DEL", hostVeth, addrs[0][:len(addrs[0])-3]+"/")
}

// reach connects from the node to a TCP listener in the pod on ip: the
// node's route in table 500, veth0 and the pod's route back to the node.
func reach(t *testing.T, env *netnsEnv, p *pod, ip string) {
	t.Helper()
	var l net.Listener
	// An IPv6 address can be bound once its duplicate address detection
	// is over.
	utils.Eventually(t, 10*time.Second, func() error {
		return p.ns.Do(func(ns.NetNS) (err error) {
			l, err = net.Listen("tcp", net.JoinHostPort(ip, "0"))
			return err
		})
	})
	defer func() { _ = l.Close() }()
	go func() {
		if c, err := l.Accept(); err == nil {
			_, _ = c.Write([]byte("ok"))
			_ = c.Close()
		}
	}()
	err := env.Do(t, func() error {
		c, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
		if err != nil {
			return err
		}
		defer func() { _ = c.Close() }()
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 2)
		_, err = io.ReadFull(c, buf)
		return err
	})
	if err != nil {
		t.Errorf("the node cannot reach the pod at %s: %v", l.Addr(), err)
	}
}
