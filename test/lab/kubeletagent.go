// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/test/lab/nodesim"
)

// KubeletNodeLabel is the label (value "true") kubelet registers the
// kubelet node with. In chart mode the lab keeps the chart's workloads off
// that node with a nodeAffinity on it (kubeletNodeChartValues).
const KubeletNodeLabel = "spiderpool.io/lab-kubelet"

// kubeletNodeChartValues keep the chart's agent DaemonSet and controller
// Deployment off the kubelet node, which has no image of them: the lab
// runs that node's agent as a process (startKubeletChartAgent). The Jobs
// (spiderpool-init, the cleanup hook) have no affinity value in the chart;
// init runs before the kubelet node joins.
func kubeletNodeChartValues() []string {
	var vals []string
	for _, component := range []string{"spiderpoolAgent", "spiderpoolController"} {
		expr := component + ".affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]."
		vals = append(vals, expr+"key="+KubeletNodeLabel, expr+"operator="+string(corev1.NodeSelectorOpDoesNotExist))
	}
	return vals
}

// startKubeletNodeAgent starts the kubelet node's agent, if the lab runs
// agents, and waits until it is ready: in chart mode from the chart's
// DaemonSet, in process mode as on every node (StartAgent).
func (l *Lab) startKubeletNodeAgent(ctx context.Context, k KubeletNode) error {
	switch {
	case l.ChartMode():
		if err := l.startKubeletChartAgent(ctx, k); err != nil {
			return err
		}
	case l.AgentBinary != "":
		if err := l.StartAgent(k.Node); err != nil {
			return err
		}
	default:
		return nil
	}
	url := "http://127.0.0.1:" + strconv.Itoa(k.AgentHealthPort) + "/v1/runtime/readiness"
	if err := waitHTTP(ctx, url, nil, 2*time.Minute); err != nil {
		return fmt.Errorf("agent of %s not ready (log: %s): %w", k.Name, l.procs.LogFile(AgentProcess(k.Name)), err)
	}
	return nil
}

// startKubeletChartAgent runs the chart's agent on the kubelet node as a
// node simulator runs the DaemonSet's pods (nodesim.PlanPodProcess): from
// the DaemonSet's pod template, with the chart's ConfigMap as conf.yml, its
// environment, a token of its ServiceAccount and its hostPath volumes under
// the node's root dir; then its postStart hook, install-plugins into the
// node's CNI bin dir, before containerd and kubelet start.
func (l *Lab) startKubeletChartAgent(ctx context.Context, k KubeletNode) error {
	c, err := l.client()
	if err != nil {
		return err
	}
	ds := &appsv1.DaemonSet{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: ReleaseNamespace, Name: AgentServiceAccount}, ds); err != nil {
		return fmt.Errorf("get the chart's agent DaemonSet %s/%s: %w", ReleaseNamespace, AgentServiceAccount, err)
	}
	pod := k.agentPod(ds)
	sa := pod.Spec.ServiceAccountName
	if err := l.writeServiceAccountKubeconfig(ctx, sa); err != nil {
		return err
	}
	proc, err := k.planAgent(ctx, c, pod, l.HostBinDir, l.serviceAccountKubeconfig(sa))
	if err != nil {
		return err
	}
	name := AgentProcess(k.Name)
	if err := l.procs.startEnv(name, proc.Env, proc.Path, proc.Args...); err != nil {
		return err
	}
	return l.runPostStart(ctx, name, proc)
}

// agentPod is the pod the DaemonSet ds would run on the node.
func (k KubeletNode) agentPod(ds *appsv1.DaemonSet) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ds.Namespace, Name: ds.Name + "-" + k.Name, Labels: ds.Spec.Template.Labels},
		Spec:       *ds.Spec.Template.Spec.DeepCopy(),
		Status:     corev1.PodStatus{HostIP: k.IP},
	}
	pod.Spec.NodeName = k.Name
	return pod
}

// planAgent lays the node's agent pod out as a process of a binary of
// binDir, with the node's ports and kubeconfig.
func (k KubeletNode) planAgent(ctx context.Context, reader client.Reader, pod *corev1.Pod, binDir, kubeconfig string) (nodesim.PodProcess, error) {
	ports := map[string]int{config.EnvHealthPort: k.AgentHealthPort, config.EnvMetricHTTPPort: k.AgentMetricsPort,
		config.EnvGopsListenPort: k.AgentGopsPort}
	cfg := nodesim.Config{NodeName: k.Name, RootFS: k.RootFS(), HostBinDir: binDir}
	proc, err := nodesim.PlanPodProcess(ctx, cfg, reader, pod, filepath.Join(k.Dir, "agent-pod"), kubeconfig, ports)
	if err != nil {
		return nodesim.PodProcess{}, fmt.Errorf("agent of %s from the DaemonSet's pod template: %w", k.Name, err)
	}
	return proc, nil
}

// runPostStart runs proc's postStart hook, if any, with proc's environment,
// its output appended to the log of process name.
func (l *Lab) runPostStart(ctx context.Context, name string, proc nodesim.PodProcess) error {
	if len(proc.PostStart) == 0 {
		return nil
	}
	cmd := exec.CommandContext(ctx, proc.PostStart[0], proc.PostStart[1:]...)
	cmd.Env = append(os.Environ(), proc.Env...)
	out, err := cmd.CombinedOutput()
	logf, lerr := os.OpenFile(l.procs.LogFile(name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if lerr == nil {
		_, _ = logf.Write(out) // the hook's output is for reading only
		_ = logf.Close()
	}
	if err != nil {
		return fmt.Errorf("postStart hook of %s (%s): %w: %s", name, strings.Join(proc.PostStart, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
