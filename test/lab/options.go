// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"fmt"
	"io"
	"path/filepath"
)

// Options configure a lab. Zero values take the defaults of Defaults.
type Options struct {
	// Name distinguishes concurrent labs; it prefixes every network namespace.
	Name string
	// Dir holds the lab's state: certificates, kubeconfig, pid files, logs.
	Dir string
	// Nodes is the number of simulated nodes.
	Nodes int
	// K8sBinDir holds etcd, kube-apiserver, kube-controller-manager,
	// kube-scheduler and kubectl (hack/testbin.sh prints it).
	K8sBinDir string
	// CNIBinDirs hold the CNI plugins the nodes' configurations name.
	CNIBinDirs []string
	// LabBinary is the spiderlab binary, started once per node as
	// "spiderlab node"; it must be built before Up.
	LabBinary string
	// AgentBinary is spiderpool-agent; when set, every node runs one and
	// the nodes' default network is MacvlanSpiderpool. Its directory must
	// also hold the spiderpool CNI plugin.
	AgentBinary string
	// ControllerBinary is spiderpool-controller; when set, Controllers
	// replicas run with leader election and the webhooks are installed.
	ControllerBinary string
	// Controllers is the number of controller replicas (default 1).
	Controllers int
	// ControllerEnv adds environment variables (KEY=VALUE) to every
	// controller replica, e.g. SPIDERPOOL_GC_* switches.
	ControllerEnv []string
	// PodResourceInject turns on the Pod mutating webhook in process mode
	// (off by default, as in the chart).
	PodResourceInject bool
	// IPConflictDetection turns on enableIPConflictDetection in the
	// agents' ConfigMap in process mode (off by default, as in the chart).
	IPConflictDetection bool
	// Chart is the spiderpool Helm chart dir. With neither AgentBinary nor
	// ControllerBinary it is installed with helm once the nodes are Ready
	// (chart mode: the node simulators run the chart's pods as processes of
	// HostBinDir). With them, only its ServiceAccounts and RBAC are
	// applied and every agent and controller process runs with a token of
	// its ServiceAccount (process mode).
	Chart string
	// HelmBinary is the helm binary; required with Chart.
	HelmBinary string
	// ChartValues are extra helm --set values, after the lab's own.
	ChartValues []string
	// HostBinDir holds spiderpool-agent, spiderpool-controller,
	// spiderpool-init and the spiderpool, coordinator and ifacer plugins:
	// the binaries the node simulators run for the chart's pods and, in
	// process mode, networks (in chart mode the agents install the plugins
	// into each node's CNI bin dir, NodeCNIBinDirs). Default: AgentBinary's dir.
	HostBinDir string
	// CRDDirs hold CRD manifests installed once the API server is up.
	CRDDirs []string
	// NodeNetwork writes a node's CNI configuration; nil means
	// MacvlanSpiderpoolCoordinator in chart mode, MacvlanSpiderpool with
	// AgentBinary, else the macvlan + host-local network of MacvlanHostLocal.
	NodeNetwork NodeNetworkFunc
	// KubeletNode adds one node that is a real kubelet on containerd
	// (KubeletNode type); needs PauseBinary, kubelet in K8sBinDir and
	// containerd and runc on PATH. In chart mode the chart's workloads keep
	// off it and its agent runs from the DaemonSet's pod template as a
	// process (startKubeletChartAgent).
	KubeletNode bool
	// PauseBinary is the static test/lab/pause binary packed into the
	// kubelet node's sandbox image.
	PauseBinary string
	// ProcessServer, when set, is the API server URL the agent and
	// controller processes use (e.g. a fault-injecting proxy in front of
	// the API server serving its certificate); needs Chart (process mode
	// with ServiceAccount kubeconfigs).
	ProcessServer string
	// AgentEnv adds environment variables (KEY=VALUE) to every agent
	// process in process mode, after the lab's own (so they win), e.g.
	// SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS.
	AgentEnv []string
	// PassiveNodes makes the node simulators register their Nodes and keep
	// them Ready but run nothing for the pods bound to them: no sandbox, no
	// CNI call, no status. For harnesses that call the CNI plugin
	// themselves (test/bench/contention).
	PassiveNodes bool
	// Progress receives one line per step; nil discards.
	Progress io.Writer
}

// NodeNetworkFunc returns the CNI network configuration list (JSON) a node
// uses as its default network.
type NodeNetworkFunc func(node Node) ([]byte, error)

// Defaults returns opts with every empty field set to its default.
func (o Options) Defaults() Options {
	if o.Name == "" {
		o.Name = "lab"
	}
	if o.Dir == "" {
		o.Dir = filepath.Join("_output", o.Name)
	}
	if o.Nodes <= 0 {
		o.Nodes = 3
	}
	if o.HostBinDir == "" && o.AgentBinary != "" {
		o.HostBinDir = filepath.Dir(o.AgentBinary)
	}
	if o.NodeNetwork == nil {
		switch {
		case o.chartMode():
			o.NodeNetwork = MacvlanSpiderpoolCoordinator
		case o.AgentBinary != "":
			o.NodeNetwork = MacvlanSpiderpool
		default:
			o.NodeNetwork = MacvlanHostLocal
		}
	}
	if o.Controllers <= 0 {
		o.Controllers = 1
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	return o
}

// chartMode reports whether the project is installed with its chart.
func (o Options) chartMode() bool {
	return o.Chart != "" && o.AgentBinary == "" && o.ControllerBinary == ""
}

func (o Options) validate() error {
	switch {
	case o.Chart != "" && o.HelmBinary == "":
		return fmt.Errorf("lab options: Chart needs HelmBinary: run make tools and pass bin/helm-<version>")
	case o.chartMode() && o.HostBinDir == "":
		return fmt.Errorf("lab options: chart mode needs HostBinDir, the directory of spiderpool-agent, -controller, -init and the plugin")
	case o.K8sBinDir == "":
		return fmt.Errorf("lab options: K8sBinDir is empty: pass the directory hack/testbin.sh prints")
	case o.LabBinary == "":
		return fmt.Errorf("lab options: LabBinary is empty: build cmd/spiderlab and pass its path")
	case len(o.Name) > 6:
		return fmt.Errorf("lab options: Name %q is longer than 6 characters: interface names must fit 15 bytes", o.Name)
	case o.KubeletNode:
		return checkKubeletNode(o)
	case o.chartMode():
		return checkChartPlugins(o.HostBinDir)
	}
	return nil
}
