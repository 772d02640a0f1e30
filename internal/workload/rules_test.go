// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package workload

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestOrdinal(t *testing.T) {
	tests := []struct {
		pod, sts string
		want     int
		ok       bool
	}{
		{"web-0", "web", 0, true},
		{"web-12", "web", 12, true},
		{"my-web-3", "my-web", 3, true},
		{"web-", "web", 0, false},
		{"web-x", "web", 0, false},
		{"web-1a", "web", 0, false},
		{"web--1", "web", 0, false},
		{"db-0", "web", 0, false},
		{"web-99999999999999999999999", "web", 0, false},
	}
	for _, tt := range tests {
		got, ok := Ordinal(tt.pod, tt.sts)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Ordinal(%q, %q) = %d, %v; want %d, %v", tt.pod, tt.sts, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzOrdinal(f *testing.F) {
	f.Add("web-0", "web")
	f.Add("web-0012", "web")
	f.Add("a-b-7", "a-b")
	f.Fuzz(func(t *testing.T, pod, sts string) {
		n, ok := Ordinal(pod, sts)
		if ok && (n < 0 || len(pod) <= len(sts)+1 || pod[:len(sts)+1] != sts+"-") {
			t.Errorf("Ordinal(%q, %q) = %d, true", pod, sts, n)
		}
	})
}

func TestNodeReady(t *testing.T) {
	cond := func(s corev1.ConditionStatus) *corev1.Node {
		return &corev1.Node{Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{
			{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionTrue}, {Type: corev1.NodeReady, Status: s}}}}
	}
	tests := []struct {
		name string
		node *corev1.Node
		want bool
	}{
		{"gone", nil, false},
		{"no condition", &corev1.Node{}, false},
		{"ready", cond(corev1.ConditionTrue), true},
		{"not ready", cond(corev1.ConditionFalse), false},
		{"unknown", cond(corev1.ConditionUnknown), false},
	}
	for _, tt := range tests {
		if got := NodeReady(tt.node); got != tt.want {
			t.Errorf("%s: NodeReady = %v, want %v", tt.name, got, tt.want)
		}
	}
}
