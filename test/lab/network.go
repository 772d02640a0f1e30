// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Underlays are the NICs every node has; each is bridged with the same NIC
// of the other nodes in the fabric namespace.
var underlays = []string{"eth0", "eth1"}

// Node is one simulated node.
type Node struct {
	// Index counts from 1.
	Index int `json:"index"`
	// Name is the Kubernetes node name.
	Name string `json:"name"`
	// NetNS is the name of the node's host network namespace.
	NetNS string `json:"netns"`
	// IP is the node's address on eth0, reported as its InternalIP.
	IP string `json:"ip"`
	// Dir holds the node's CNI configuration, caches and state.
	Dir string `json:"dir"`
	// AgentHealthPort serves the node agent's probes on 127.0.0.1.
	AgentHealthPort int `json:"agentHealthPort,omitempty"`
	// AgentMetricsPort serves the node agent's Prometheus metrics on
	// 127.0.0.1 (process mode).
	AgentMetricsPort int `json:"agentMetricsPort,omitempty"`
	// AgentGopsPort is the node agent's gops port on 127.0.0.1 (process
	// mode; in chart mode the pod's lab.spiderpool.io/ports annotation has it).
	AgentGopsPort int `json:"agentGopsPort,omitempty"`
}

// NetNSPath is the path of the node's host network namespace.
func (n Node) NetNSPath() string { return "/var/run/netns/" + n.NetNS }

// rootFSLinks holds one short symlink per node of every lab, named after
// the node's network namespace (unique across concurrent labs), to the
// node's root dir.
const rootFSLinks = "/run/splab"

// RootFS is the node's root dir as the lab names it: the hostPath volumes
// of the pods the node simulator runs live under it. It is a short symlink
// to <Dir>/rootfs, so that unix sockets under it (the agent's) fit the
// 108-byte limit of socket paths wherever the lab dir is.
func (n Node) RootFS() string { return filepath.Join(rootFSLinks, n.NetNS) }

// createRootFS makes the node's root dir and its RootFS link, replacing a
// link left by a lab of the same name that was not taken down.
func (n Node) createRootFS() error {
	dir := filepath.Join(n.Dir, "rootfs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if err := os.MkdirAll(rootFSLinks, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", rootFSLinks, err)
	}
	if err := n.removeRootFSLink(); err != nil {
		return err
	}
	if err := os.Symlink(dir, n.RootFS()); err != nil {
		return fmt.Errorf("link the root dir of %s: %w", n.Name, err)
	}
	return nil
}

// removeRootFSLink removes the RootFS link (not what it points to).
func (n Node) removeRootFSLink() error {
	if err := os.Remove(n.RootFS()); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("remove the root dir link of %s: %w", n.Name, err)
	}
	return nil
}

// CNIConfDir is the node's net.d, /etc/cni/net.d under its root dir.
func (n Node) CNIConfDir() string { return filepath.Join(n.RootFS(), "etc", "cni", "net.d") }

func (l *Lab) fabricNS() string { return l.nsPrefix() + "fab" }

// FabricNetNS is the namespace of the bridges br0 and br1 that join the
// nodes' eth0 and eth1: the LAN of the pods' underlay.
func (l *Lab) FabricNetNS() string { return l.fabricNS() }

// nsPrefix starts every namespace name of this lab.
func (l *Lab) nsPrefix() string { return "spl-" + l.Name + "-" }

// PodNetNSPrefix starts the name of every pod network namespace of this lab.
func (l *Lab) PodNetNSPrefix() string { return l.nsPrefix() + "p-" }

func (l *Lab) createFabric() error {
	ns := l.fabricNS()
	cmds := [][]string{{"netns", "add", ns}, {"-n", ns, "link", "set", "lo", "up"}}
	for i := range underlays {
		br := fmt.Sprintf("br%d", i)
		cmds = append(cmds, []string{"-n", ns, "link", "add", br, "type", "bridge"},
			[]string{"-n", ns, "link", "set", br, "up"})
	}
	return ipAll(cmds)
}

func (l *Lab) createNodeNetwork(n Node) error {
	cmds := [][]string{{"netns", "add", n.NetNS}, {"-n", n.NetNS, "link", "set", "lo", "up"}}
	for i, nic := range underlays {
		peer := fmt.Sprintf("n%de%d", n.Index, i)
		cmds = append(cmds,
			[]string{"-n", l.fabricNS(), "link", "add", peer, "type", "veth", "peer", "name", nic, "netns", n.NetNS},
			[]string{"-n", l.fabricNS(), "link", "set", peer, "master", fmt.Sprintf("br%d", i)},
			[]string{"-n", l.fabricNS(), "link", "set", peer, "up"},
			[]string{"-n", n.NetNS, "link", "set", nic, "up"})
	}
	cmds = append(cmds, []string{"-n", n.NetNS, "addr", "add", n.IP + "/24", "dev", "eth0"})
	if err := ipAll(cmds); err != nil {
		return err
	}
	return n.createRootFS()
}

// deleteNetworks removes every namespace of this lab: pods', nodes' and the
// fabric. The veths go with their namespaces.
func (l *Lab) deleteNetworks() error {
	entries, err := os.ReadDir("/var/run/netns")
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("list network namespaces: %w", err)
	}
	var errs []string
	for _, n := range l.Nodes {
		if err := n.removeRootFSLink(); err != nil {
			errs = append(errs, err.Error())
		}
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), l.nsPrefix()) {
			if err := ip("netns", "delete", e.Name()); err != nil {
				errs = append(errs, err.Error())
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("delete network namespaces: %s", strings.Join(errs, "; "))
	}
	return nil
}

// NetNSes lists the network namespaces of this lab still present.
func (l *Lab) NetNSes() []string {
	entries, _ := os.ReadDir("/var/run/netns")
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), l.nsPrefix()) {
			out = append(out, e.Name())
		}
	}
	return out
}

func ipAll(cmds [][]string) error {
	for _, c := range cmds {
		if err := ip(c...); err != nil {
			return err
		}
	}
	return nil
}

func ip(args ...string) error {
	var stderr bytes.Buffer
	cmd := exec.Command("ip", args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
