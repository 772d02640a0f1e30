// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// KubeletNode is the lab's one node that is a real kubelet on containerd:
// every pod sandbox there is made by kubelet → containerd (CRI) → libcni →
// the node's CNI configuration, as in production. It lives in its own
// network namespace on the fabric like a simulated node; kubelet runs in the
// host namespace (it reaches the API server on 127.0.0.1) and containerd in
// the node's (the plugins it runs find the node's eth0 there).
type KubeletNode struct {
	Node
	// Port and HealthzPort are kubelet's, on 127.0.0.1.
	Port        int `json:"port"`
	HealthzPort int `json:"healthzPort"`
}

// KubeletProcess names the kubelet node's kubelet process.
func KubeletProcess(node string) string { return "kubelet-" + node }

// ContainerdProcess names the kubelet node's containerd process.
func ContainerdProcess(node string) string { return "containerd-" + node }

// ContainerdSocket is containerd's CRI socket, under the node's root dir
// (short enough for the 108-byte socket path limit).
func (k KubeletNode) ContainerdSocket() string {
	return filepath.Join(k.RootFS(), "run", "containerd", "containerd.sock")
}

// CNICallLog is where the logging wrappers in the node's CNI bin dir record
// every plugin call containerd makes: one line "COMMAND plugin containerID".
func (k KubeletNode) CNICallLog() string { return filepath.Join(k.Dir, "cni-calls.log") }

// KubeletRootDir is kubelet's --root-dir.
func (k KubeletNode) KubeletRootDir() string { return filepath.Join(k.Dir, "kubelet") }

func (l *Lab) newKubeletNode() error {
	ps, err := freeTCPPorts(5)
	if err != nil {
		return err
	}
	i := l.opts.Nodes + 1
	name := l.Name + "-kubelet"
	l.KubeletNode = &KubeletNode{
		Node: Node{Index: i, Name: name, NetNS: l.nsPrefix() + "k", IP: fmt.Sprintf("172.30.0.%d", 10+i),
			Dir: filepath.Join(l.Dir, "nodes", name), AgentHealthPort: ps[0], AgentMetricsPort: ps[1], AgentGopsPort: ps[2]},
		Port: ps[3], HealthzPort: ps[4],
	}
	return nil
}

// startKubeletNode brings the kubelet node up: its network, its agent
// (chart mode: from the chart's DaemonSet, with its plugins installed into
// the node's CNI bin dir), the network configuration, containerd with the
// sandbox image, then kubelet, and waits until the Node is Ready.
func (l *Lab) startKubeletNode(ctx context.Context) error {
	k := *l.KubeletNode
	if err := l.createNodeNetwork(k.Node); err != nil {
		return err
	}
	if err := l.startKubeletNodeAgent(ctx, k); err != nil {
		return err
	}
	if err := l.writeKubeletNodeNetwork(k); err != nil {
		return err
	}
	if err := l.startContainerd(ctx, k); err != nil {
		return err
	}
	if err := l.startKubelet(k); err != nil {
		return err
	}
	if err := l.waitNodeReady(ctx, k.Name, 2*time.Minute); err != nil {
		return fmt.Errorf("kubelet node %s not Ready (logs: %s, %s): %w", k.Name,
			l.procs.LogFile(KubeletProcess(k.Name)), l.procs.LogFile(ContainerdProcess(k.Name)), err)
	}
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func (l *Lab) waitNodeReady(ctx context.Context, name string, timeout time.Duration) error {
	c, err := l.client()
	if err != nil {
		return err
	}
	return wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		node := &corev1.Node{}
		if err := c.Get(ctx, client.ObjectKey{Name: name}, node); err != nil {
			return false, nil //nolint:nilerr // not registered yet: keep polling
		}
		return nodeReady(node), nil
	})
}

// checkKubeletNode fails unless what the kubelet node runs is present.
func checkKubeletNode(o Options) error {
	switch {
	case o.PauseBinary == "":
		return fmt.Errorf("lab options: KubeletNode needs PauseBinary: build ./test/lab/pause with CGO_ENABLED=0")
	case !fileExists(filepath.Join(o.K8sBinDir, "kubelet")):
		return fmt.Errorf("lab options: KubeletNode needs kubelet in K8sBinDir %s: run hack/testbin.sh", o.K8sBinDir)
	}
	for _, bin := range []string{"containerd", "containerd-shim-runc-v2", "runc", "ctr", "nsenter"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("lab options: KubeletNode needs %s on PATH: run hack/deps.sh (Debian containerd, runc): %w", bin, err)
		}
	}
	if o.chartMode() {
		return checkChartPlugins(o.HostBinDir)
	}
	return nil
}
