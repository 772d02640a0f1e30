// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// affinityCase is a pool with one affinity and two pods naming only that
// pool: one the affinity admits, one it filters out.
type affinityCase struct {
	name, ips string
	affinity  poolOption
	// field is the pool field the failure message must name.
	field    string
	ok, fail *corev1.Pod
}

// TestIPAMAffinityFilters: a pool limited by nodeName, nodeAffinity,
// namespaceName, namespaceAffinity or podAffinity serves the pods it admits;
// a pod it filters out, with no other pool, gets no address and a sandbox
// failure event naming the pool and the filter.
func TestIPAMAffinityFilters(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const nsIn, nsOut = "ipam-aff-in", "ipam-aff-out"
	createNamespaceMeta(t, ctx, nsIn, map[string]string{"ipam-e2e-tier": "gold"}, nil)
	createNamespaceMeta(t, ctx, nsOut, nil, nil)
	node1, node2 := shared.lab.Nodes[0].Name, shared.lab.Nodes[1].Name
	// pod names the pool e2e-aff-<case> of its name <case>-ok or <case>-no.
	pod := func(ns, name, node string, labels map[string]string) *corev1.Pod {
		pool, _, _ := strings.Cut(name, "-")
		return barePod(ns, name, node, labels, ippoolAnnotation([]string{"e2e-aff-" + pool}, nil))
	}
	cases := []affinityCase{
		{name: "node", ips: "10.250.21.10-10.250.21.19", field: "spec.nodeName",
			affinity: func(p *spiderpoolv2beta1.SpiderIPPool) { p.Spec.NodeName = []string{node2} },
			ok:       pod(nsIn, "node-ok", node2, nil), fail: pod(nsIn, "node-no", node1, nil)},
		{name: "nodeaff", ips: "10.250.21.20-10.250.21.29", field: "spec.nodeAffinity",
			affinity: func(p *spiderpoolv2beta1.SpiderIPPool) {
				p.Spec.NodeAffinity = &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelHostname: node2}}
			},
			ok: pod(nsIn, "nodeaff-ok", node2, nil), fail: pod(nsIn, "nodeaff-no", node1, nil)},
		{name: "ns", ips: "10.250.21.30-10.250.21.39", field: "spec.namespaceName",
			affinity: func(p *spiderpoolv2beta1.SpiderIPPool) { p.Spec.NamespaceName = []string{nsIn} },
			ok:       pod(nsIn, "ns-ok", "", nil), fail: pod(nsOut, "ns-no", "", nil)},
		{name: "nsaff", ips: "10.250.21.40-10.250.21.49", field: "spec.namespaceAffinity",
			affinity: func(p *spiderpoolv2beta1.SpiderIPPool) {
				p.Spec.NamespaceAffinity = &metav1.LabelSelector{MatchLabels: map[string]string{"ipam-e2e-tier": "gold"}}
			},
			ok: pod(nsIn, "nsaff-ok", "", nil), fail: pod(nsOut, "nsaff-no", "", nil)},
		{name: "pod", ips: "10.250.21.50-10.250.21.59", field: "spec.podAffinity",
			affinity: func(p *spiderpoolv2beta1.SpiderIPPool) {
				p.Spec.PodAffinity = &metav1.LabelSelector{MatchLabels: map[string]string{"ipam-e2e-tier": "gold"}}
			},
			ok:   pod(nsIn, "pod-ok", "", map[string]string{"ipam-e2e-tier": "gold"}),
			fail: pod(nsIn, "pod-no", "", map[string]string{"ipam-e2e-tier": "silver"})},
	}
	for _, tc := range cases {
		createPool(t, ctx, ipPool("e2e-aff-"+tc.name, 4, []string{tc.ips}, tc.affinity))
	}
	for _, tc := range cases {
		createPods(t, ctx, tc.ok, tc.fail)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok := waitPodRunning(t, ctx, tc.ok.Namespace, tc.ok.Name)
			assertPodIPs(t, ok, tc.ips, "")
			if tc.ok.Spec.NodeName != "" && ok.Spec.NodeName != tc.ok.Spec.NodeName {
				t.Errorf("pod %s runs on %s; want %s", ok.Name, ok.Spec.NodeName, tc.ok.Spec.NodeName)
			}
			msg := waitSandboxFailure(t, ctx, tc.fail.Namespace, tc.fail.Name, "e2e-aff-"+tc.name, tc.field)
			t.Logf("%s: %s", tc.fail.Name, msg)
			assertNoIP(t, ctx, tc.fail.Namespace, tc.fail.Name)
		})
	}
}
