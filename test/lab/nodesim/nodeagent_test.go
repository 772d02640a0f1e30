// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"errors"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

func TestNodeAgent(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	existing := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node1", UID: "node-uid", Labels: map[string]string{"keep": "me"}}}
	c := fake.NewClientBuilder().WithStatusSubresource(&corev1.Node{}).WithObjects(existing).Build()
	cfg := Config{NodeName: "node1", NodeIP: "172.30.0.11", Labels: map[string]string{"rack": "r1"}}
	a := &nodeAgent{client: c, cfg: cfg, now: func() time.Time { return now }}

	if err := a.register(t.Context()); err != nil {
		t.Fatal(err)
	}
	node := &corev1.Node{}
	if err := c.Get(t.Context(), client.ObjectKey{Name: "node1"}, node); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"keep": "me", "rack": "r1", corev1.LabelHostname: "node1", corev1.LabelOSStable: "linux"} {
		if node.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, node.Labels[k], v)
		}
	}
	if ready := findNodeCondition(node, corev1.NodeReady); ready == nil || ready.Status != corev1.ConditionTrue {
		t.Errorf("Ready condition = %+v", ready)
	}
	if node.Status.NodeInfo.KubeletVersion != KubeletVersion || node.Status.Allocatable.Pods().Value() != 250 {
		t.Errorf("status = %+v", node.Status)
	}

	firstTransition := findNodeCondition(node, corev1.NodeReady).LastTransitionTime
	now = now.Add(time.Minute)
	if err := a.heartbeat(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(t.Context(), client.ObjectKey{Name: "node1"}, node); err != nil {
		t.Fatal(err)
	}
	ready := findNodeCondition(node, corev1.NodeReady)
	if !ready.LastHeartbeatTime.Time.Equal(now) || !ready.LastTransitionTime.Equal(&firstTransition) {
		t.Errorf("after heartbeat Ready = %+v, want heartbeat %v and the first transition time", ready, now)
	}

	for range 2 {
		now = now.Add(10 * time.Second)
		if err := a.renewLease(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	lease := &coordinationv1.Lease{}
	if err := c.Get(t.Context(), client.ObjectKey{Namespace: leaseNamespace, Name: "node1"}, lease); err != nil {
		t.Fatal(err)
	}
	if !lease.Spec.RenewTime.Time.Equal(now) || *lease.Spec.LeaseDurationSeconds != 40 ||
		len(lease.OwnerReferences) != 1 || lease.OwnerReferences[0].UID != "node-uid" {
		t.Errorf("lease = %+v", lease)
	}
}

func findNodeCondition(node *corev1.Node, t corev1.NodeConditionType) *corev1.NodeCondition {
	for i := range node.Status.Conditions {
		if node.Status.Conditions[i].Type == t {
			return &node.Status.Conditions[i]
		}
	}
	return nil
}

func TestConfigWithDefaults(t *testing.T) {
	cfg, err := Config{NodeName: "n", NodeIP: "10.0.0.1", CNIConfDir: "/c", CNIBinDirs: []string{"/b"}, StateDir: "/s"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CNICacheDir != "/s/cni-cache" || cfg.NetNSDir != "/var/run/netns" || cfg.AgentNamespace != "kube-system" ||
		cfg.MaxConcurrentPods != 4 || cfg.MaxConcurrentTeardowns != 16 || cfg.RetryMaxDelay != 30*time.Second {
		t.Errorf("defaults = %+v", cfg)
	}
	for name, bad := range map[string]Config{
		"bad NodeIP":  {NodeName: "n", NodeIP: "bad", CNIConfDir: "/c", CNIBinDirs: []string{"/b"}, StateDir: "/s"},
		"no StateDir": {NodeName: "n", NodeIP: "10.0.0.1", CNIConfDir: "/c", CNIBinDirs: []string{"/b"}},
		"not a netns": {NodeName: "n", NodeIP: "10.0.0.1", CNIConfDir: "/c", CNIBinDirs: []string{"/b"}, StateDir: "/s", HostNetNS: t.TempDir()},
	} {
		if _, err := bad.withDefaults(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: error = %v, want ErrInvalidConfig", name, err)
		}
	}
}
