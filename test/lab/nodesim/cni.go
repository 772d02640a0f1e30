// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"fmt"
	"strings"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/version"
	"github.com/containernetworking/plugins/pkg/ns"
)

// hostNSExec runs every CNI plugin inside the node's host network namespace.
// ns.Do locks the goroutine to an OS thread switched into that namespace, and
// the plugin process forked from that thread inherits it, so a macvlan
// "master" is looked up among the node's NICs, not the root namespace's.
type hostNSExec struct {
	*invoke.DefaultExec
	hostNetNS string
}

var _ invoke.Exec = (*hostNSExec)(nil)

// ExecPlugin runs the plugin binary from inside the host network namespace.
func (e *hostNSExec) ExecPlugin(ctx context.Context, pluginPath string, stdin []byte, environ []string) ([]byte, error) {
	var out []byte
	err := ns.WithNetNSPath(e.hostNetNS, func(ns.NetNS) error {
		var err error
		out, err = e.DefaultExec.ExecPlugin(ctx, pluginPath, stdin, environ)
		return err
	})
	return out, err
}

// cniRunner adds and deletes one network attachment of a sandbox through libcni.
type cniRunner struct {
	cni *libcni.CNIConfig
}

// newCNIRunner returns a runner that finds plugins in binDirs, keeps libcni's
// result cache in cacheDir and executes plugins in hostNetNS (the current
// namespace when hostNetNS is empty).
func newCNIRunner(binDirs []string, cacheDir, hostNetNS string) *cniRunner {
	base := &invoke.DefaultExec{RawExec: &invoke.RawExec{}, PluginDecoder: version.PluginDecoder{}}
	var exec invoke.Exec = base
	if hostNetNS != "" {
		exec = &hostNSExec{DefaultExec: base, hostNetNS: hostNetNS}
	}
	return &cniRunner{cni: libcni.NewCNIConfigWithCacheDir(binDirs, cacheDir, exec)}
}

// runtimeConf is what kubelet and the container runtime pass for a pod
// sandbox, plus what Multus adds for a network selection asking for
// addresses: CNI_ARGS IP and MAC, and the runtimeConfig capabilities "ips"
// and "mac" (libcni passes a capability only to plugins that declare it).
// The same values are used for ADD and DEL.
func runtimeConf(sb *sandbox, n network) *libcni.RuntimeConf {
	rc := &libcni.RuntimeConf{
		ContainerID: sb.ID,
		NetNS:       sb.NetNS,
		IfName:      n.IfName,
		Args: [][2]string{
			{"IgnoreUnknown", "1"},
			{"K8S_POD_NAMESPACE", sb.Pod.Namespace},
			{"K8S_POD_NAME", sb.Pod.Name},
			{"K8S_POD_INFRA_CONTAINER_ID", sb.ID},
			{"K8S_POD_UID", sb.Pod.UID},
		},
	}
	if len(n.IPs) > 0 || n.MAC != "" {
		rc.CapabilityArgs = map[string]any{}
	}
	if len(n.IPs) > 0 {
		rc.Args = append(rc.Args, [2]string{"IP", strings.Join(n.IPs, ",")})
		rc.CapabilityArgs["ips"] = n.IPs
	}
	if n.MAC != "" {
		rc.Args = append(rc.Args, [2]string{"MAC", n.MAC})
		rc.CapabilityArgs["mac"] = n.MAC
	}
	return rc
}

// add runs CNI ADD for one network and returns its network-status entry.
func (r *cniRunner) add(ctx context.Context, sb *sandbox, n network) (*networkStatus, error) {
	list, err := parseConfList(n.Config)
	if err != nil {
		return nil, err
	}
	res, err := r.cni.AddNetworkList(ctx, list, runtimeConf(sb, n))
	if err != nil {
		return nil, fmt.Errorf("add network %q (%s): %w", n.Name, n.IfName, err)
	}
	return newNetworkStatus(n, res)
}

// findPlugins checks that every plugin of n and its IPAM plugin are on the
// search path. Checked before anything is created: a plugin missing at ADD is
// also missing at DEL, and a DEL that can never succeed would pin the sandbox.
func (r *cniRunner) findPlugins(n network) error {
	list, err := parseConfList(n.Config)
	if err != nil {
		return err
	}
	for _, p := range list.Plugins {
		for _, typ := range []string{p.Network.Type, p.Network.IPAM.Type} {
			if typ == "" {
				continue
			}
			if _, err := invoke.FindInPath(typ, r.cni.Path); err != nil {
				return fmt.Errorf("network %q: %w", n.Name, err)
			}
		}
	}
	return nil
}

// del runs CNI DEL for one network with the config its ADD used.
func (r *cniRunner) del(ctx context.Context, sb *sandbox, n network) error {
	list, err := parseConfList(n.Config)
	if err != nil {
		return err
	}
	rc := runtimeConf(sb, n)
	if !netNSUsable(rc.NetNS) {
		// As containerd does for a sandbox whose namespace is gone: DEL
		// without CNI_NETNS, so that the plugins still release (IPAM DEL)
		// and skip the namespace. A simulator killed between creating the
		// mount point and bind-mounting it leaves a plain file there, on
		// which every plugin's DEL would fail forever (chaos seed 1011).
		rc.NetNS = ""
	}
	if err := r.cni.DelNetworkList(ctx, list, rc); err != nil {
		return fmt.Errorf("delete network %q (%s): %w", n.Name, n.IfName, err)
	}
	return nil
}
