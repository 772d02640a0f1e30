// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func agentPod(kind string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{OwnerReferences: []metav1.OwnerReference{{Kind: kind, Name: "x", Controller: ptr.To(true)}}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "agent",
			Env: []corev1.EnvVar{
				{Name: "SPIDERPOOL_HEALTH_PORT", Value: "5710"},
				{Name: "SPIDERPOOL_METRIC_HTTP_PORT", Value: "5711"},
				{Name: "SPIDERPOOL_GOPS_LISTEN_PORT", Value: "5712"},
				{Name: "SPIDERPOOL_NODE_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}},
				{Name: "WEIRD_PORT", Value: "not-a-number"},
			},
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 5710}},
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Host: "127.0.0.1", Port: intstr.FromString("http"), Path: "/v1/runtime/readiness",
			}}},
		}}},
	}
}

func TestRemapsPorts(t *testing.T) {
	for kind, want := range map[string]bool{"DaemonSet": true, "ReplicaSet": false, "Job": false} {
		if got := remapsPorts(agentPod(kind)); got != want {
			t.Errorf("remapsPorts(%s pod) = %v, want %v", kind, got, want)
		}
	}
	if remapsPorts(&corev1.Pod{}) {
		t.Error("remapsPorts(bare pod) = true, want false")
	}
}

func TestPortsTranslation(t *testing.T) {
	pod := agentPod("DaemonSet")
	names := portVars(pod)
	if diff := cmp.Diff([]string{"SPIDERPOOL_GOPS_LISTEN_PORT", "SPIDERPOOL_HEALTH_PORT", "SPIDERPOOL_METRIC_HTTP_PORT"}, names); diff != "" {
		t.Fatalf("portVars (-want +got):\n%s", diff)
	}
	pm, err := allocatePorts(names)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range pm {
		if p <= 0 || seen[p] {
			t.Fatalf("allocatePorts gave %v: want distinct positive ports", pm)
		}
		seen[p] = true
	}
	c := &pod.Spec.Containers[0]
	byValue := pm.byValue(c)
	if byValue[5710] != pm["SPIDERPOOL_HEALTH_PORT"] || byValue[5711] != pm["SPIDERPOOL_METRIC_HTTP_PORT"] {
		t.Errorf("byValue = %v for ports %v", byValue, pm)
	}
	url, _ := probeURL(c, byValue)
	if want := "http://127.0.0.1:" + itoa(pm["SPIDERPOOL_HEALTH_PORT"]) + "/v1/runtime/readiness"; url != want {
		t.Errorf("probeURL = %q, want %q", url, want)
	}
	env, err := volumeSource{}.containerEnv(t.Context(), pod, c, nil, pm)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"SPIDERPOOL_HEALTH_PORT=" + itoa(pm["SPIDERPOOL_HEALTH_PORT"]),
		"SPIDERPOOL_METRIC_HTTP_PORT=" + itoa(pm["SPIDERPOOL_METRIC_HTTP_PORT"]),
		"SPIDERPOOL_GOPS_LISTEN_PORT=" + itoa(pm["SPIDERPOOL_GOPS_LISTEN_PORT"]),
		"SPIDERPOOL_NODE_NAME=",
		"WEIRD_PORT=not-a-number",
	}
	if diff := cmp.Diff(want, env); diff != "" {
		t.Errorf("containerEnv (-want +got):\n%s", diff)
	}
}

func TestParsePorts(t *testing.T) {
	tests := []struct {
		in      string
		want    portMap
		wantErr bool
	}{
		{in: `{"A_PORT":41234}`, want: portMap{"A_PORT": 41234}},
		{in: `{}`, want: portMap{}},
		{in: `{"A_PORT":0}`, wantErr: true},
		{in: `{"A_PORT":70000}`, wantErr: true},
		{in: `[1]`, wantErr: true},
		{in: ``, wantErr: true},
	}
	for _, tt := range tests {
		got, err := parsePorts(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parsePorts(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); !tt.wantErr && diff != "" {
			t.Errorf("parsePorts(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzParsePorts(f *testing.F) {
	for _, s := range []string{`{"A_PORT":41234}`, `{}`, `{"A":-1}`, `null`, `{"A":1e9}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pm, err := parsePorts(s)
		if err != nil {
			return
		}
		for name, p := range pm {
			if p <= 0 || p > 65535 {
				t.Fatalf("parsePorts(%q) accepted %s=%d", s, name, p)
			}
		}
	})
}

func TestFieldValue(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "u"},
		Spec:       corev1.PodSpec{NodeName: "n1"},
		Status:     corev1.PodStatus{HostIP: "172.30.0.11"},
	}
	tests := map[string]string{
		"metadata.name": "p", "metadata.namespace": "ns", "metadata.uid": "u", "spec.nodeName": "n1",
		"spec.serviceAccountName": "default", "status.podIP": "172.30.0.11", "status.hostIP": "172.30.0.11",
	}
	for path, want := range tests {
		got, err := fieldValue(pod, path)
		if err != nil || got != want {
			t.Errorf("fieldValue(%s) = %q, %v; want %q", path, got, err, want)
		}
	}
	if _, err := fieldValue(pod, "metadata.labels"); err == nil {
		t.Error("fieldValue(metadata.labels) succeeded; want ErrUnsupportedField")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
