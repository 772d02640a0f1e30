// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator_test

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"

	"github.com/spiderpool-go/spiderpool/internal/cni/coordinator"
)

// calicoEth0 gives the pod an eth0 as Calico does: a veth to the node
// ("cali..."), a /32 address and a default route via 169.254.1.1, with
// the node's route to the address.
func calicoEth0(t *testing.T, env *netnsEnv, p *pod, cali, addr string) {
	t.Helper()
	err := env.Do(t, func() error {
		veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: cali}, PeerName: "eth0", PeerNamespace: netlink.NsFd(int(p.ns.Fd()))}
		if err := netlink.LinkAdd(veth); err != nil {
			return err
		}
		link, err := netlinksafe.LinkByName(cali)
		if err != nil {
			return err
		}
		if err := netlink.LinkSetUp(link); err != nil {
			return err
		}
		return netlink.RouteAdd(&netlink.Route{Dst: mustCIDR(addr + "/32"), LinkIndex: link.Attrs().Index, Scope: netlink.SCOPE_LINK})
	})
	if err != nil {
		t.Fatalf("node side of the overlay eth0: %v", err)
	}
	err = p.ns.Do(func(ns.NetNS) error {
		link, err := netlinksafe.LinkByName("eth0")
		if err != nil {
			return err
		}
		if err := netlink.LinkSetUp(link); err != nil {
			return err
		}
		if err := netlink.AddrAdd(link, &netlink.Addr{IPNet: mustCIDR(addr + "/32")}); err != nil {
			return err
		}
		gw := net.ParseIP("169.254.1.1")
		return netlink.RouteAdd(&netlink.Route{Gw: gw, LinkIndex: link.Attrs().Index, Flags: int(netlink.FLAG_ONLINK)})
	})
	if err != nil {
		t.Fatalf("pod side of the overlay eth0: %v", err)
	}
}

func mustCIDR(s string) *net.IPNet {
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	return n
}

// testOverlay: net1 beside a Calico-like eth0 reaches the node through
// eth0's veth, gets table 101 with its default route, and replies to
// what comes in on eth0 leave through eth0 (table 100); no veth0, no
// packet marking. Overlay on eth0 itself is refused.
func testOverlay(t *testing.T, env *netnsEnv) {
	p := env.newPod(t, "ovl")
	cali := "cali" + env.suffix[:6]
	calicoEth0(t, env, p, cali, "10.244.1.5")
	net := env.network(t, "net-ovl", []string{"10.7.0.70/16"}, defaultVia("10.7.0.254"), nil)
	env.mustAdd(t, net, p.rt("net1"))
	pod, host := take(t, p.ns), take(t, env.NS)
	caliMAC, eth0MAC := host.mac(t, cali), pod.mac(t, "eth0")
	pod.want(t, "pod",
		"route 10.6.0.1/32 dev eth0 table 254",
		"route 10.6.0.1/32 dev eth0 table 101",
		"route 10.96.0.0/12 via 10.7.0.1 dev eth0 table 254", // the node's source towards net1
		"route default via 169.254.1.1 dev eth0 table 254",
		"route default via 169.254.1.1 dev eth0 table 100",
		"route default via 10.7.0.254 dev net1 table 101",
		"neigh 10.6.0.1 lladdr "+caliMAC+" dev eth0")
	pod.wantMatch(t, "pod", " from 10.244.1.5/32 lookup 100", " from 10.7.0.70/32 lookup 101")
	pod.wantNone(t, "pod", "veth0", "nft ", "default via 10.7.0.254 dev net1 table 254")
	host.want(t, "node", "route 10.7.0.70/32 dev "+cali+" table 500", "neigh 10.7.0.70 lladdr "+eth0MAC+" dev "+cali)
	reach(t, env, p, "10.7.0.70")
	env.MustDel(t, net, p.rt("net1"))
	after := take(t, env.NS)
	after.want(t, "node after DEL", "route 10.244.1.5/32 dev "+cali+" table 254") // the overlay's own
	after.wantNone(t, "node after DEL", "10.7.0.70/", "neigh 10.7.0.70 ")

	onEth0 := env.network(t, "net-ovl0", []string{"10.7.0.71/16"}, nil, map[string]any{"mode": "overlay"})
	q := env.newPod(t, "ovl0")
	_, err := env.Add(t, onEth0, q.rt("eth0"))
	var e *types.Error
	if !errors.As(err, &e) || !strings.Contains(e.Msg, "first NIC") {
		t.Errorf("overlay on eth0: got %v, want a refusal naming the first NIC", err)
	}
	take(t, env.NS).wantNone(t, "node", coordinator.HostVethName(q.containerID))
	env.MustDel(t, onEth0, q.rt("eth0"))
}
