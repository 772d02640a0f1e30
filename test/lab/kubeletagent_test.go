// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestKubeletNodeChartValues: with the lab's kubelet node values the
// chart renders the agent DaemonSet and the controller Deployment with a
// required nodeAffinity that excludes nodes carrying KubeletNodeLabel.
func TestKubeletNodeChartValues(t *testing.T) {
	helm, err := utils.HelmBinary()
	if errors.Is(err, utils.ErrNoHelm) {
		t.Skip(err)
	}
	root, err := utils.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"template", ReleaseName, filepath.Join(root, "charts", "spiderpool"), "--namespace", ReleaseNamespace,
		"--show-only", "templates/agent-daemonset.yaml", "--show-only", "templates/controller-deployment.yaml"}
	for _, v := range kubeletNodeChartValues() {
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
	want := &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{
			{Key: KubeletNodeLabel, Operator: corev1.NodeSelectorOpDoesNotExist}}}}}}}
	docs := 0
	for _, doc := range strings.Split(string(out), "\n---\n") {
		var obj struct {
			Kind string `json:"kind"`
			Spec struct {
				Template corev1.PodTemplateSpec `json:"template"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil || obj.Kind == "" {
			continue
		}
		docs++
		if diff := cmp.Diff(want, obj.Spec.Template.Spec.Affinity); diff != "" {
			t.Errorf("%s affinity (-want +got):\n%s", obj.Kind, diff)
		}
	}
	if docs != 2 {
		t.Errorf("rendered %d objects; want the DaemonSet and the Deployment:\n%s", docs, out)
	}
}
