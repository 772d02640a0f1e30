// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestIPAMAllNodesShareOneFullPool: 30 replicas spread over every node
// allocate at once from one pool of 30 addresses. All run, no two share an
// address, and the pool's records name exactly these pods.
func TestIPAMAllNodesShareOneFullPool(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const ns, pool, poolRange, n = "ipam-stress", "e2e-stress", "10.250.26.10-10.250.26.39", 30
	createPool(t, ctx, ipPool(pool, 4, []string{poolRange}))
	createNamespaceMeta(t, ctx, ns, nil, nil)
	d := deployment(ns, "stress", n)
	withPodAnnotations(d, ippoolAnnotation([]string{pool}, nil))
	d.Spec.Template.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
		MaxSkew: 1, TopologyKey: corev1.LabelHostname, WhenUnsatisfiable: corev1.DoNotSchedule,
		LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "stress"}},
	}}
	createWorkload(t, ctx, d)

	pods := waitRunningPods(t, ctx, shared.c, ns, "stress", n)
	assertDistinctIPs(t, pods)
	nodes := map[string]int{}
	for i := range pods {
		assertPodIPs(t, &pods[i], poolRange, "")
		nodes[pods[i].Spec.NodeName]++
	}
	if len(nodes) != len(shared.lab.Nodes) {
		t.Errorf("pods per node %v; want pods on all %d nodes", nodes, len(shared.lab.Nodes))
	}

	_, recs := waitPoolRecords(t, ctx, pool, int(n))
	for i := range pods {
		pod := &pods[i]
		rec, ok := recs[pod.Status.PodIP]
		switch {
		case !ok:
			t.Errorf("pod %s has %s, which pool %s does not record", pod.Name, pod.Status.PodIP, pool)
		case rec.NamespacedName != ns+"/"+pod.Name || rec.PodUID != string(pod.UID):
			t.Errorf("pool %s records %s for %s (uid %s); the pod holding it is %s/%s (uid %s)",
				pool, pod.Status.PodIP, rec.NamespacedName, rec.PodUID, ns, pod.Name, pod.UID)
		}
	}
}
