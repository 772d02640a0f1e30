// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
)

// ErrInvalidConfig is returned by Run for an unusable Config.
var ErrInvalidConfig = errors.New("invalid node simulator config")

// Config describes one simulated node.
type Config struct {
	// NodeName is the Node to register; pods with spec.nodeName equal to it are served.
	NodeName string
	// NodeIP is the InternalIP on the Node, and the pod IP of hostNetwork pods.
	NodeIP string
	// Labels are extra Node labels, on top of kubernetes.io/hostname, os and arch.
	Labels map[string]string
	// HostNetNS is the path of the node's host network namespace; every CNI
	// plugin is executed inside it. Empty means the simulator's own namespace.
	HostNetNS string
	// CNIConfDir is the node's net.d: its first *.conf / *.conflist / *.json
	// file in lexical order is the default network (eth0).
	CNIConfDir string
	// CNIBinDirs is the plugin search path (CNI_PATH).
	CNIBinDirs []string
	// CNICacheDir is libcni's result cache. Default: <StateDir>/cni-cache.
	CNICacheDir string
	// StateDir keeps the sandbox records, so a restarted simulator can run
	// DEL for what it created.
	StateDir string
	// NetNSDir is where pod namespaces are pinned. Default: /var/run/netns.
	NetNSDir string
	// NetNSPrefix starts every pod namespace name: <prefix><pod UID>.
	// Default: "splab-pod-".
	NetNSPrefix string
	// AgentNamespace resolves a bare NetworkAttachmentDefinition name in the
	// v1.multus-cni.io/default-network annotation, as Multus resolves it in
	// its own namespace. Names in k8s.v1.cni.cncf.io/networks resolve in the
	// pod's namespace. Default: kube-system.
	AgentNamespace string
	// SpiderpoolSocket, when set, is written into every `spiderpool` IPAM
	// block of a NetworkAttachmentDefinition that names no socket: the lab
	// runs one agent per node, each on its own socket.
	SpiderpoolSocket string
	// HostBinDir holds the project's binaries (spiderpool-agent,
	// spiderpool-controller, spiderpool-init). A hostNetwork pod whose
	// container command names one of them is run as a host process; empty
	// means no pod is run.
	HostBinDir string
	// RootFS is the node's root dir: hostPath volumes of run pods map under
	// it. Default: <StateDir>/rootfs.
	RootFS string
	// PodsDir holds the dirs of run pods (kubeconfig, volumes). Default:
	// <StateDir>/pods.
	PodsDir string
	// LogDir receives the logs of run pods, pod-<ns>-<name>.log. Default:
	// <StateDir>/logs.
	LogDir string
	// MaxConcurrentPods bounds the pods set up at once. Default: 4.
	MaxConcurrentPods int
	// MaxConcurrentTeardowns bounds, apart from them, the deleted pods torn
	// down at once. Kubelet has a worker per pod, so a mass deletion tears
	// every sandbox down at once; too few workers here kept pods
	// Terminating past their grace period, when the IP GC frees their
	// addresses. Default: 16.
	MaxConcurrentTeardowns int
	// IgnorePods, when set, keeps the Node registered and Ready but runs
	// nothing for the pods bound to it: no sandbox, no CNI call, no status,
	// no teardown. Whoever bound them drives their networking.
	IgnorePods bool
	// RetryBaseDelay and RetryMaxDelay bound the exponential backoff of a
	// failing pod. Defaults: 500ms and 30s.
	RetryBaseDelay, RetryMaxDelay time.Duration
}

// withDefaults returns cfg with every empty optional field set, or an
// error wrapping ErrInvalidConfig.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.NodeName == "" || cfg.CNIConfDir == "" || cfg.StateDir == "" || len(cfg.CNIBinDirs) == 0 {
		return cfg, fmt.Errorf("%w: NodeName, CNIConfDir, CNIBinDirs and StateDir are required", ErrInvalidConfig)
	}
	if _, err := netip.ParseAddr(cfg.NodeIP); err != nil {
		return cfg, fmt.Errorf("%w: NodeIP: %w", ErrInvalidConfig, err)
	}
	if cfg.HostNetNS != "" {
		if err := ns.IsNSorErr(cfg.HostNetNS); err != nil {
			return cfg, fmt.Errorf("%w: HostNetNS: %w", ErrInvalidConfig, err)
		}
	}
	setDefault(&cfg.CNICacheDir, filepath.Join(cfg.StateDir, "cni-cache"))
	setDefault(&cfg.NetNSDir, defaultNetNSDir)
	setDefault(&cfg.RootFS, filepath.Join(cfg.StateDir, "rootfs"))
	setDefault(&cfg.PodsDir, filepath.Join(cfg.StateDir, "pods"))
	setDefault(&cfg.LogDir, filepath.Join(cfg.StateDir, "logs"))
	setDefault(&cfg.NetNSPrefix, "splab-pod-")
	setDefault(&cfg.AgentNamespace, "kube-system")
	setDefault(&cfg.MaxConcurrentPods, 4)
	setDefault(&cfg.MaxConcurrentTeardowns, 16)
	setDefault(&cfg.RetryBaseDelay, 500*time.Millisecond)
	setDefault(&cfg.RetryMaxDelay, 30*time.Second)
	return cfg, nil
}

func setDefault[T comparable](field *T, value T) {
	var zero T
	if *field == zero {
		*field = value
	}
}
