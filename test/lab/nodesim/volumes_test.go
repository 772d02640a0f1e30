// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

// chartAgentPod is the shape of the chart's agent pod: a ConfigMap volume
// whose conf.yml names a path under a hostPath mount.
func chartAgentPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "agent-x", UID: "u1"},
		Spec: corev1.PodSpec{
			NodeName: "n1", ServiceAccountName: "spiderpool-agent",
			Containers: []corev1.Container{{
				Name: "agent", Command: []string{"/usr/bin/spiderpool-agent"},
				Args: []string{"daemon", "--config-path=/tmp/spiderpool/config-map/conf.yml"},
				Env: []corev1.EnvVar{
					{Name: "SPIDERPOOL_NODE_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}},
					{Name: "SA", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.serviceAccountName"}}},
					{Name: "LEVEL", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
						LocalObjectReference: corev1.LocalObjectReference{Name: "spiderpool-conf"}, Key: "level"}}},
					{Name: "MISSING", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
						LocalObjectReference: corev1.LocalObjectReference{Name: "nope"}, Key: "k", Optional: ptr.To(true)}}},
					{Name: "SOCKET_DIR", Value: "/var/run/spidernet"},
				},
				VolumeMounts: []corev1.VolumeMount{
					{Name: "config", MountPath: "/tmp/spiderpool/config-map"},
					{Name: "sock", MountPath: "/var/run/spidernet"},
				},
			}},
			Volumes: []corev1.Volume{
				{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
					LocalObjectReference: corev1.LocalObjectReference{Name: "spiderpool-conf"}}}},
				{Name: "sock", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/run/spidernet"}}},
				{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
			},
		},
	}
}

func TestMaterializeAndEnv(t *testing.T) {
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "spiderpool-conf"},
		Data: map[string]string{
			"conf.yml": "ipamUnixSocketPath: /var/run/spidernet/spiderpool.sock\nenableIPv4: true\n",
			"level":    "debug",
		},
	}
	src := volumeSource{reader: fake.NewClientBuilder().WithObjects(cm).Build()}
	pod := chartAgentPod()
	root, podDir := t.TempDir(), t.TempDir()
	dirs := volumeDirs(pod, root, podDir)
	if err := src.materialize(t.Context(), pod, dirs, volumePaths(pod, dirs)); err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile(filepath.Join(podDir, "volumes", "config", "conf.yml"))
	if err != nil {
		t.Fatal(err)
	}
	want := "ipamUnixSocketPath: " + filepath.Join(root, "var/run/spidernet") + "/spiderpool.sock\nenableIPv4: true\n"
	if diff := cmp.Diff(want, string(conf)); diff != "" {
		t.Errorf("conf.yml (-want +got):\n%s", diff)
	}
	for _, d := range []string{filepath.Join(root, "var/run/spidernet"), filepath.Join(podDir, "volumes", "scratch")} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			t.Errorf("volume dir %s not created: %v", d, err)
		}
	}
	c := &pod.Spec.Containers[0]
	env, err := src.containerEnv(t.Context(), pod, c, containerPaths(c, dirs), nil)
	if err != nil {
		t.Fatal(err)
	}
	wantEnv := []string{"SPIDERPOOL_NODE_NAME=n1", "SA=spiderpool-agent", "LEVEL=debug", "MISSING=",
		"SOCKET_DIR=" + filepath.Join(root, "var/run/spidernet")}
	if diff := cmp.Diff(wantEnv, env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
}

func TestMaterializeMissingConfigMap(t *testing.T) {
	src := volumeSource{reader: fake.NewClientBuilder().Build()}
	pod := chartAgentPod()
	dirs := volumeDirs(pod, t.TempDir(), t.TempDir())
	if err := src.materialize(t.Context(), pod, dirs, volumePaths(pod, dirs)); err == nil {
		t.Fatal("materialize succeeded without the pod's ConfigMap; want an error (the pod is retried)")
	}
}
