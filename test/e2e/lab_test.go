// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// TestWorkloadsGetWorkingAddresses: a Deployment of 10 and a StatefulSet of
// 3 reach Running with distinct addresses that answer pings across nodes.
func TestWorkloadsGetWorkingAddresses(t *testing.T) {
	ctx := testContext(t, 5*time.Minute)
	c := shared.c
	createNamespace(t, ctx, c, "lab-workloads")
	if err := c.Create(ctx, deployment("lab-workloads", "web", 10)); err != nil {
		t.Fatalf("create deployment: %v", err)
	}
	if err := c.Create(ctx, statefulSet("lab-workloads", "db", 3)); err != nil {
		t.Fatalf("create statefulset: %v", err)
	}
	web := waitRunningPods(t, ctx, c, "lab-workloads", "web", 10)
	db := waitRunningPods(t, ctx, c, "lab-workloads", "db", 3)
	all := append(web, db...)
	assertDistinctIPs(t, all)
	assertSpreadOverNodes(t, all)
	for _, pair := range crossNodePairs(all) {
		if err := ping(shared.lab, pair[0], pair[1].Status.PodIP); err != nil {
			t.Error(err)
		}
	}
}

func assertDistinctIPs(t *testing.T, pods []corev1.Pod) {
	t.Helper()
	seen := map[string]string{}
	for _, p := range pods {
		if other, dup := seen[p.Status.PodIP]; dup {
			t.Errorf("pods %s and %s share %s", other, p.Name, p.Status.PodIP)
		}
		seen[p.Status.PodIP] = p.Name
	}
}

func assertSpreadOverNodes(t *testing.T, pods []corev1.Pod) {
	t.Helper()
	nodes := map[string]bool{}
	for _, p := range pods {
		nodes[p.Spec.NodeName] = true
	}
	if len(nodes) < 2 {
		t.Fatalf("pods landed on %d node(s); want at least 2 to test cross-node traffic", len(nodes))
	}
}

// crossNodePairs picks, for each node, one pod and a peer on another node.
func crossNodePairs(pods []corev1.Pod) [][2]corev1.Pod {
	first := map[string]corev1.Pod{}
	for _, p := range pods {
		if _, ok := first[p.Spec.NodeName]; !ok {
			first[p.Spec.NodeName] = p
		}
	}
	var out [][2]corev1.Pod
	for node, p := range first {
		for other, q := range first {
			if other != node {
				out = append(out, [2]corev1.Pod{p, q})
			}
		}
	}
	return out
}
