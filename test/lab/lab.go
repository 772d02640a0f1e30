// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Lab is a running (or recorded) lab cluster. Its exported fields are saved
// to lab.json in Dir so that other processes (the node simulators, tests,
// "spiderlab down") can find it.
type Lab struct {
	// Name prefixes the lab's network namespaces.
	Name string `json:"name"`
	// Dir is the lab's absolute state directory.
	Dir string `json:"dir"`
	// Kubeconfig is the admin kubeconfig.
	Kubeconfig string `json:"kubeconfig"`
	// Ports of the control plane.
	Ports Ports `json:"ports"`
	// Nodes are the simulated nodes.
	Nodes []Node `json:"nodes"`
	// CNIBinDirs hold the plugins the nodes run (NodeCNIBinDirs).
	CNIBinDirs []string `json:"cniBinDirs"`
	// K8sBinDir holds the Kubernetes binaries, kubectl among them.
	K8sBinDir string `json:"k8sBinDir"`
	// AdminToken authenticates as a member of system:masters.
	AdminToken string `json:"adminToken"`
	// LabBinary is the spiderlab binary that runs the node simulators.
	LabBinary string `json:"labBinary"`
	// AgentBinary is spiderpool-agent, run once per node; empty for none.
	AgentBinary string `json:"agentBinary,omitempty"`
	// ControllerBinary is spiderpool-controller; empty for none.
	ControllerBinary string `json:"controllerBinary,omitempty"`
	// Controllers are the ports of each controller replica.
	Controllers []ControllerPorts `json:"controllers,omitempty"`
	// ControllerEnv is extra environment of every controller replica; tests
	// may change it before StartController.
	ControllerEnv []string `json:"controllerEnv,omitempty"`
	// PodResourceInject turns on the Pod mutating webhook
	// (podResourceInject.enabled) in the processes' spiderpool-conf.
	PodResourceInject bool `json:"podResourceInject,omitempty"`
	// IPConflictDetection turns on enableIPConflictDetection in the
	// agents' spiderpool-conf.
	IPConflictDetection bool `json:"ipConflictDetection,omitempty"`
	// Chart is the Helm chart dir (see Options.Chart); empty for none.
	Chart string `json:"chart,omitempty"`
	// HelmBinary is the helm the lab runs.
	HelmBinary string `json:"helmBinary,omitempty"`
	// ChartValues are the extra --set values of every helm install/upgrade.
	ChartValues []string `json:"chartValues,omitempty"`
	// HostBinDir holds the binaries the node simulators run for the chart's pods.
	HostBinDir string `json:"hostBinDir,omitempty"`
	// ChartPorts are the controller's loopback ports in chart mode.
	ChartPorts ControllerPorts `json:"chartPorts,omitzero"`
	// ProcessServer is Options.ProcessServer.
	ProcessServer string `json:"processServer,omitempty"`
	// AgentEnv is Options.AgentEnv.
	AgentEnv []string `json:"agentEnv,omitempty"`
	// PassiveNodes is Options.PassiveNodes: the node simulators run no pod.
	PassiveNodes bool `json:"passiveNodes,omitempty"`
	// KubeletNode is the node that is a real kubelet; nil for none.
	KubeletNode *KubeletNode `json:"kubeletNode,omitempty"`

	opts  Options
	pki   pki
	procs processes
}

const stateFile = "lab.json"

// Server is the API server's URL.
func (l *Lab) Server() string { return "https://127.0.0.1:" + strconv.Itoa(l.Ports.APIServer) }

// Kubectl is the path of the kubectl built with the cluster.
func (l *Lab) Kubectl() string { return filepath.Join(l.K8sBinDir, "kubectl") }

// Load reads the lab recorded in dir.
func Load(dir string) (*Lab, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("lab dir %q: %w", dir, err)
	}
	data, err := os.ReadFile(filepath.Join(abs, stateFile))
	if err != nil {
		return nil, fmt.Errorf("read lab state (is the lab up? run spiderlab up): %w", err)
	}
	l := &Lab{}
	if err := json.Unmarshal(data, l); err != nil {
		return nil, fmt.Errorf("parse %s: %w", filepath.Join(abs, stateFile), err)
	}
	l.pki, l.procs = pki{dir: filepath.Join(abs, "pki")}, processes{dir: abs}
	l.opts = Options{Name: l.Name, Dir: abs, K8sBinDir: l.K8sBinDir, LabBinary: l.LabBinary, AgentBinary: l.AgentBinary,
		ControllerBinary: l.ControllerBinary, Chart: l.Chart, HelmBinary: l.HelmBinary, HostBinDir: l.HostBinDir}.Defaults()
	return l, nil
}

func (l *Lab) save() error {
	data, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return fmt.Errorf("encode lab state: %w", err)
	}
	if err := os.WriteFile(filepath.Join(l.Dir, stateFile), data, 0o600); err != nil {
		return fmt.Errorf("write lab state: %w", err)
	}
	return nil
}

// Up brings a lab up. If anything fails, what was started is torn down.
func Up(ctx context.Context, opts Options) (*Lab, error) {
	opts = opts.Defaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	l, err := newLab(opts)
	if err != nil {
		return nil, err
	}
	for _, step := range l.upSteps() {
		start := time.Now()
		if err := step.run(ctx); err != nil {
			return nil, l.abort(ctx, fmt.Errorf("lab up: %s: %w", step.name, err))
		}
		l.progress("%-44s %6.1fs", step.name, time.Since(start).Seconds())
	}
	return l, nil
}

// FailedLogsDir is where Up keeps the process logs of a lab in dir that
// did not come up.
func FailedLogsDir(dir string) string { return filepath.Clean(dir) + "-logs" }

// abort tears down what Up started, keeping the process logs (they say why)
// in FailedLogsDir, and returns err naming them.
func (l *Lab) abort(ctx context.Context, err error) error {
	kept := FailedLogsDir(l.Dir)
	_ = os.RemoveAll(kept) // a previous failure's
	if os.Rename(filepath.Join(l.Dir, "logs"), kept) == nil {
		err = fmt.Errorf("%w (process logs kept in %s)", err, kept)
	}
	_ = l.Down(context.WithoutCancel(ctx)) // best effort: the Up error is what the caller needs
	return err
}

func newLab(opts Options) (*Lab, error) {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("lab dir %q: %w", opts.Dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); err == nil {
		return nil, fmt.Errorf("lab dir %s holds a lab already: run spiderlab down --dir %s first", dir, dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create lab dir: %w", err)
	}
	ports, err := freePorts()
	if err != nil {
		return nil, err
	}
	l := &Lab{
		Name: opts.Name, Dir: dir, Kubeconfig: filepath.Join(dir, "kubeconfig"), Ports: ports,
		CNIBinDirs: cniBinDirs(opts), K8sBinDir: opts.K8sBinDir, LabBinary: opts.LabBinary, AgentBinary: opts.AgentBinary,
		ControllerBinary: opts.ControllerBinary, ControllerEnv: opts.ControllerEnv,
		PodResourceInject: opts.PodResourceInject, IPConflictDetection: opts.IPConflictDetection,
		Chart: opts.Chart, HelmBinary: opts.HelmBinary, ChartValues: opts.ChartValues, HostBinDir: opts.HostBinDir,
		ProcessServer: opts.ProcessServer, AgentEnv: opts.AgentEnv, PassiveNodes: opts.PassiveNodes,
		opts: opts, pki: pki{dir: filepath.Join(dir, "pki")}, procs: processes{dir: dir},
	}
	if opts.chartMode() {
		ps, err := freeTCPPorts(4)
		if err != nil {
			return nil, err
		}
		l.ChartPorts = ControllerPorts{Health: ps[0], Metrics: ps[1], Webhook: ps[2], Gops: ps[3]}
	}
	agentPorts, err := freeTCPPorts(3 * opts.Nodes)
	if err != nil {
		return nil, err
	}
	if opts.ControllerBinary != "" {
		ps, err := freeTCPPorts(4 * opts.Controllers)
		if err != nil {
			return nil, err
		}
		for i := 0; i < opts.Controllers; i++ {
			l.Controllers = append(l.Controllers, ControllerPorts{Health: ps[4*i], Metrics: ps[4*i+1], Webhook: ps[4*i+2], Gops: ps[4*i+3]})
		}
	}
	for i := 1; i <= opts.Nodes; i++ {
		name := fmt.Sprintf("%s-node-%d", opts.Name, i)
		l.Nodes = append(l.Nodes, Node{Index: i, Name: name, NetNS: l.nsPrefix() + "n" + strconv.Itoa(i),
			IP: fmt.Sprintf("172.30.0.%d", 10+i), Dir: filepath.Join(dir, "nodes", name),
			AgentHealthPort: agentPorts[3*i-3], AgentMetricsPort: agentPorts[3*i-2], AgentGopsPort: agentPorts[3*i-1]})
	}
	if opts.KubeletNode {
		if err := l.newKubeletNode(); err != nil {
			return nil, err
		}
	}
	return l, l.save()
}

type step struct {
	name string
	run  func(ctx context.Context) error
}

func (l *Lab) upSteps() []step {
	steps := []step{
		{"generate certificates and tokens", func(context.Context) error { return l.writePKI() }},
		{"start etcd", func(context.Context) error { return l.startEtcd() }},
		{"start kube-apiserver (RBAC on)", func(context.Context) error { return l.startAPIServer() }},
		{"write admin kubeconfig", func(context.Context) error { return l.writeKubeconfig() }},
		{"start kube-controller-manager", func(context.Context) error { return l.startKCM() }},
		{"start kube-scheduler", func(context.Context) error { return l.startScheduler() }},
	}
	optional := []struct {
		when bool
		step step
	}{
		{len(l.opts.CRDDirs) > 0, step{"install CRDs", l.installCRDs}},
		{l.Chart != "" && !l.ChartMode(), step{"apply the chart's ServiceAccounts and RBAC", l.applyChartRBAC}},
		{true, step{"create fabric and node network namespaces", func(context.Context) error { return l.createNetworks() }}},
		{true, step{"write node CNI configurations", func(context.Context) error { return l.writeNodeNetworks() }}},
		{l.ControllerBinary != "", step{"start spiderpool-controller (webhooks, leader election)", l.startControllers}},
		{l.AgentBinary != "", step{"start spiderpool-agent on every node", l.startAgents}},
		{true, step{"start node simulators", func(context.Context) error { return l.startNodes() }}},
		{true, step{"wait for nodes Ready", l.waitNodesReady}},
		{l.ChartMode(), step{"helm install the chart (agents, controller, init Job)", l.installChart}},
		{l.KubeletNode != nil, step{"start the kubelet node (agent, containerd, kubelet)", l.startKubeletNode}},
	}
	for _, o := range optional {
		if o.when {
			steps = append(steps, o.step)
		}
	}
	return steps
}

func (l *Lab) writePKI() error {
	token, err := l.pki.generate()
	l.AdminToken = token
	if err != nil {
		return err
	}
	return l.save()
}

func (l *Lab) createNetworks() error {
	if err := l.createFabric(); err != nil {
		return err
	}
	for _, n := range l.Nodes {
		if err := l.createNodeNetwork(n); err != nil {
			return err
		}
	}
	return nil
}

// Down stops every process of the lab by PID, in reverse start order,
// removes its network namespaces and then its directory.
func (l *Lab) Down(ctx context.Context) error {
	errs := []error{l.stopKubeletNode(ctx)}
	order := []string{"kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"}
	for _, name := range l.procs.names() {
		if !contains(order, name) {
			errs = append(errs, l.procs.stop(name, 10*time.Second))
		}
	}
	for _, name := range order {
		errs = append(errs, l.procs.stop(name, 30*time.Second))
	}
	errs = append(errs, l.deleteNetworks())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("lab down: %w", err)
	}
	if err := os.RemoveAll(l.Dir); err != nil {
		return fmt.Errorf("lab down: remove %s: %w", l.Dir, err)
	}
	return ctx.Err()
}

// Running lists the lab's processes that are still alive.
func (l *Lab) Running() []string {
	var out []string
	for _, name := range l.procs.names() {
		if _, ok := l.procs.running(name); ok {
			out = append(out, name)
		}
	}
	return out
}

func (l *Lab) progress(format string, args ...any) {
	// Progress is best effort: a closed stderr must not fail the lab.
	_, _ = fmt.Fprintf(l.opts.Progress, "lab: "+format+"\n", args...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// PIDs maps the lab's live processes to their PIDs.
func (l *Lab) PIDs() map[string]int {
	out := map[string]int{}
	for _, name := range l.procs.names() {
		if pid, ok := l.procs.running(name); ok {
			out[name] = pid
		}
	}
	return out
}
