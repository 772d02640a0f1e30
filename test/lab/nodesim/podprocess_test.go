// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

// TestPlanPodProcess: a pod no simulator runs is laid out as the runner
// lays out its own: the binary from HostBinDir, args, environment and
// ConfigMap files translated, the given ports, and the postStart hook.
func TestPlanPodProcess(t *testing.T) {
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "spiderpool-conf"},
		Data:       map[string]string{"conf.yml": "ipamUnixSocketPath: /var/run/spidernet/spiderpool.sock\n", "level": "info"},
	}
	bin, rootfs, dir := t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "spiderpool-agent"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	pod := chartAgentPod()
	c := &pod.Spec.Containers[0]
	c.Env = append(c.Env, corev1.EnvVar{Name: "SPIDERPOOL_HEALTH_PORT", Value: "5710"}, corev1.EnvVar{Name: "OTHER_PORT", Value: "5711"})
	c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "cni", MountPath: "/host/opt/cni/bin"})
	c.Lifecycle = &corev1.Lifecycle{PostStart: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{
		Command: []string{"spiderpool-agent", "install-plugins", "--cni-bin-dir=/host/opt/cni/bin"}}}}
	pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: "cni",
		VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/opt/cni/bin"}}})

	cfg := Config{RootFS: rootfs, HostBinDir: bin}
	reader := fake.NewClientBuilder().WithObjects(cm).Build()
	p, err := PlanPodProcess(t.Context(), cfg, reader, pod, dir, "/kc", map[string]int{"SPIDERPOOL_HEALTH_PORT": 41000})
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "volumes", "config", "conf.yml")
	want := PodProcess{
		Path: filepath.Join(bin, "spiderpool-agent"),
		Args: []string{"daemon", "--config-path=" + conf},
		PostStart: []string{filepath.Join(bin, "spiderpool-agent"), "install-plugins",
			"--cni-bin-dir=" + filepath.Join(rootfs, "opt", "cni", "bin")},
	}
	if diff := cmp.Diff(want, PodProcess{Path: p.Path, Args: p.Args, PostStart: p.PostStart}); diff != "" {
		t.Errorf("process (-want +got):\n%s", diff)
	}
	for _, kv := range []string{"KUBECONFIG=/kc", "HOME=" + dir, "SPIDERPOOL_NODE_NAME=n1", "LEVEL=info",
		"SPIDERPOOL_HEALTH_PORT=41000", "SOCKET_DIR=" + filepath.Join(rootfs, "var", "run", "spidernet")} {
		if !slices.Contains(p.Env, kv) {
			t.Errorf("environment %v lacks %s", p.Env, kv)
		}
	}
	if slices.Contains(p.Env, "OTHER_PORT=5711") || !slices.ContainsFunc(p.Env, func(kv string) bool { return strings.HasPrefix(kv, "OTHER_PORT=") }) {
		t.Errorf("environment %v: want OTHER_PORT moved to a free port", p.Env)
	}
	data, err := os.ReadFile(conf)
	if wantConf := "ipamUnixSocketPath: " + filepath.Join(rootfs, "var", "run", "spidernet", "spiderpool.sock") + "\n"; err != nil || string(data) != wantConf {
		t.Errorf("conf.yml = %q, %v; want %q", data, err, wantConf)
	}
}

// TestPlanPodProcessWithoutKnownBinary: a pod none of whose containers
// runs a HostBinDir binary is an error naming the dir.
func TestPlanPodProcessWithoutKnownBinary(t *testing.T) {
	cfg := Config{RootFS: t.TempDir(), HostBinDir: t.TempDir()}
	reader := fake.NewClientBuilder().Build()
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "x", Command: []string{"/bin/other"}}}}}
	if _, err := PlanPodProcess(t.Context(), cfg, reader, pod, t.TempDir(), "/kc", nil); err == nil {
		t.Fatal("PlanPodProcess of a pod without a HostBinDir binary succeeded; want an error")
	}
}
