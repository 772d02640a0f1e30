// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestIPAMMultiNIC: a pod with a second NIC through a
// NetworkAttachmentDefinition (macvlan on the nodes' eth1 underlay) gets both
// NICs' addresses from the pools its ipam.spidernet.io/ippools annotation
// names, in one SpiderEndpoint, and the second NIC carries traffic between
// nodes.
func TestIPAMMultiNIC(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, 4*time.Minute)
	const ns, app, eth0Pool, net1Pool = "ipam-mn", "mn", "e2e-mn-eth0", "e2e-mn-net1"
	createPool(t, ctx, ipPool(eth0Pool, 4, []string{"10.250.30.10-10.250.30.20"}))
	createPool(t, ctx, &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: net1Pool},
		Spec: spiderpoolv2beta1.IPPoolSpec{
			IPVersion: ptr.To[int64](4), Subnet: "10.251.0.0/16", IPs: []string{"10.251.1.10-10.251.1.20"},
		},
	})
	createNamespaceMeta(t, ctx, ns, nil, nil)
	createNAD(t, ns, "macvlan-eth1",
		`{"cniVersion":"1.0.0","name":"macvlan-eth1","plugins":[{"type":"macvlan","master":"eth1","mode":"bridge","ipam":{"type":"spiderpool"}}]}`)
	d := deployment(ns, app, 2)
	d.Spec.Template.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
		MaxSkew: 1, TopologyKey: "kubernetes.io/hostname", WhenUnsatisfiable: corev1.DoNotSchedule,
		LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}},
	}}
	withPodAnnotations(d, map[string]string{
		"k8s.v1.cni.cncf.io/networks": "macvlan-eth1",
		"ipam.spidernet.io/ippools": `[{"interface":"eth0","ipv4":["` + eth0Pool + `"]},` +
			`{"interface":"net1","ipv4":["` + net1Pool + `"],"cleangateway":true}]`,
	})
	createWorkload(t, ctx, d)
	pods := waitRunningPods(t, ctx, shared.c, ns, app, 2)
	net1 := map[string]string{}
	for _, p := range pods {
		net1[p.Name] = assertTwoNICs(t, ctx, p, eth0Pool, net1Pool)
	}
	if t.Failed() {
		return
	}
	if err := ping(shared.lab, pods[0], net1[pods[1].Name]); err != nil {
		t.Errorf("net1 to net1: %v", err)
	}
}

// assertTwoNICs checks the pod's endpoint records eth0 and net1 from the
// expected pools and returns net1's address.
func assertTwoNICs(t *testing.T, ctx context.Context, p corev1.Pod, eth0Pool, net1Pool string) string {
	t.Helper()
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	if err := shared.c.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: p.Name}, ep); err != nil {
		t.Fatalf("endpoint of %s: %v", p.Name, err)
	}
	pools := map[string]string{}
	addrs := map[string]string{}
	for _, d := range ep.Status.Current.IPs {
		pools[d.NIC] = ptr.Deref(d.IPv4Pool, "")
		addrs[d.NIC] = ptr.Deref(d.IPv4, "")
	}
	if pools["eth0"] != eth0Pool || pools["net1"] != net1Pool {
		t.Errorf("pod %s: NIC pools %v; want eth0=%s net1=%s", p.Name, pools, eth0Pool, net1Pool)
	}
	ip, _, _ := strings.Cut(addrs["net1"], "/")
	return ip
}

func createNAD(t *testing.T, ns, name, config string) {
	t.Helper()
	nad := &unstructured.Unstructured{}
	nad.SetAPIVersion("k8s.cni.cncf.io/v1")
	nad.SetKind("NetworkAttachmentDefinition")
	nad.SetNamespace(ns)
	nad.SetName(name)
	if err := unstructured.SetNestedField(nad.Object, config, "spec", "config"); err != nil {
		t.Fatal(err)
	}
	if err := shared.c.Create(t.Context(), nad); err != nil {
		t.Fatalf("create NetworkAttachmentDefinition %s/%s: %v", ns, name, err)
	}
}
