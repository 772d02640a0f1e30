// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/yaml"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// renderChart runs helm template of the chart with values (as --set),
// showing only templates, and returns the rendered documents.
func renderChart(t *testing.T, values []string, templates ...string) []string {
	t.Helper()
	helm, err := utils.HelmBinary()
	if errors.Is(err, utils.ErrNoHelm) {
		t.Skip(err)
	}
	root, err := utils.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"template", ReleaseName, filepath.Join(root, "charts", "spiderpool"), "--namespace", ReleaseNamespace}
	for _, tmpl := range templates {
		args = append(args, "--show-only", tmpl)
	}
	for _, v := range values {
		args = append(args, "--set", v)
	}
	cmd := exec.CommandContext(t.Context(), helm, args...)
	cmd.Env = append(cmd.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm template: %v: %s", err, stderr.String())
	}
	return strings.Split(string(out), "\n---\n")
}

// TestKubeletNodeChartValues: with the lab's values and a kubelet node the
// chart renders the agent DaemonSet and the controller Deployment with a
// required nodeAffinity that excludes nodes carrying KubeletNodeLabel.
func TestKubeletNodeChartValues(t *testing.T) {
	l := &Lab{ChartPorts: ControllerPorts{Health: 1, Metrics: 2, Webhook: 3, Gops: 4}, KubeletNode: &KubeletNode{}}
	docs := renderChart(t, l.chartValues(), "templates/agent-daemonset.yaml", "templates/controller-deployment.yaml")
	want := &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{
			{Key: KubeletNodeLabel, Operator: corev1.NodeSelectorOpDoesNotExist}}}}}}}
	kinds := 0
	for _, doc := range docs {
		var obj struct {
			Kind string `json:"kind"`
			Spec struct {
				Template corev1.PodTemplateSpec `json:"template"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil || obj.Kind == "" {
			continue
		}
		kinds++
		if diff := cmp.Diff(want, obj.Spec.Template.Spec.Affinity); diff != "" {
			t.Errorf("%s affinity (-want +got):\n%s", obj.Kind, diff)
		}
	}
	if kinds != 2 {
		t.Errorf("rendered %d objects; want the DaemonSet and the Deployment:\n%s", kinds, docs)
	}
}

// TestKubeletNodeChartAgentPlan: the kubelet node's agent, laid out from
// the DaemonSet and ConfigMap the chart renders, runs the agent of the bin
// dir with conf.yml naming the node's socket, the node's ports and name,
// and install-plugins into the node's CNI bin dir as its postStart hook;
// GOMAXPROCS is its CPU limit, as the process-mode agents' (AgentGOMAXPROCS).
func TestKubeletNodeChartAgentPlan(t *testing.T) {
	docs := renderChart(t, nil, "templates/agent-daemonset.yaml", "templates/configmap.yaml")
	ds, cm := &appsv1.DaemonSet{}, &corev1.ConfigMap{}
	for _, doc := range docs {
		var kind struct{ Kind string }
		_ = yaml.Unmarshal([]byte(doc), &kind) // a document that does not parse has no kind
		if obj := map[string]any{"DaemonSet": ds, "ConfigMap": cm}[kind.Kind]; obj != nil {
			if err := yaml.Unmarshal([]byte(doc), obj); err != nil {
				t.Fatalf("decode the chart's %s: %v", kind.Kind, err)
			}
		}
	}
	k := KubeletNode{Node: Node{Name: "t-kubelet", NetNS: "spl-t" + strconv.Itoa(os.Getpid()) + "-k", IP: "172.30.0.12",
		Dir: t.TempDir(), AgentHealthPort: 41001, AgentMetricsPort: 41002, AgentGopsPort: 41003}}
	if err := k.createRootFS(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.removeRootFSLink() })
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "spiderpool-agent"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	proc, err := k.planAgent(t.Context(), fake.NewClientBuilder().WithObjects(cm).Build(), k.agentPod(ds), bin, "/kc")
	if err != nil {
		t.Fatal(err)
	}
	agent := filepath.Join(bin, "spiderpool-agent")
	conf := filepath.Join(k.Dir, "agent-pod", "volumes", "config", "conf.yml")
	if want := []string{agent, "install-plugins", "--cni-bin-dir=" + k.CNIBinDir()}; !slices.Equal(proc.PostStart, want) {
		t.Errorf("postStart %v; want %v", proc.PostStart, want)
	}
	if proc.Path != agent || !slices.Contains(proc.Args, "--config-path="+conf) {
		t.Errorf("process %s %v; want %s with --config-path=%s", proc.Path, proc.Args, agent, conf)
	}
	for _, kv := range []string{config.EnvHealthPort + "=41001", config.EnvMetricHTTPPort + "=41002",
		config.EnvGopsListenPort + "=41003", "SPIDERPOOL_NODE_NAME=t-kubelet", "KUBECONFIG=/kc", AgentGOMAXPROCS} {
		if !slices.Contains(proc.Env, kv) {
			t.Errorf("environment %v lacks %s", proc.Env, kv)
		}
	}
	data, err := os.ReadFile(conf)
	if err != nil || !strings.Contains(string(data), "ipamUnixSocketPath: "+k.AgentSocket()+"\n") {
		t.Errorf("conf.yml (%v) does not name the node's socket %s:\n%s", err, k.AgentSocket(), data)
	}
}
