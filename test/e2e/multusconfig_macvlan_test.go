// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// underlayPool returns an IPv4 pool on the nodes' eth1 underlay
// (10.251.0.0/16, no gateway) with the addresses 10.251.<block>.10-20.
func underlayPool(name, block string) *spiderpoolv2beta1.SpiderIPPool {
	return &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To[int64](4), Subnet: "10.251.0.0/16",
			IPs: []string{"10.251." + block + ".10-10.251." + block + ".20"}}}
}

// TestMultusConfigMacvlan: a macvlan SpiderMultusConfig (coordinator off)
// generates a NAD that the real macvlan and spiderpool plugins set up, as
// net1 of a Deployment's pods (which then reach each other over eth1) and
// as the default network (eth0) of a pod. Editing the SpiderMultusConfig
// changes the NAD and the next pod's pool, a NAD deleted by hand comes
// back, and deleting the SpiderMultusConfig lets the garbage collector
// delete the NAD.
func TestMultusConfigMacvlan(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const ns, app = "smc-macvlan", "smc-net1"
	const net1A, net1B, eth0Pool = "e2e-smc-net1a", "e2e-smc-net1b", "e2e-smc-eth0"
	createPool(t, ctx, underlayPool(net1A, "70"))
	createPool(t, ctx, underlayPool(net1B, "72"))
	createPool(t, ctx, ipPool(eth0Pool, 4, []string{"10.250.71.10-10.250.71.20"}))
	createNamespaceMeta(t, ctx, ns, nil, nil)
	net1 := macvlanSMC(ns, "macvlan-net1", "eth1", net1A)
	createCleaned(t, ctx, net1)
	eth0 := macvlanSMC(ns, "macvlan-eth0", "eth0", eth0Pool)
	createCleaned(t, ctx, eth0)
	for _, smc := range []*spiderpoolv2beta1.SpiderMultusConfig{net1, eth0} {
		nad := waitGeneratedNAD(t, ctx, client.ObjectKeyFromObject(smc), "")
		config, _, _ := unstructured.NestedString(nad.Object, "spec", "config")
		t.Logf("NAD %s/%s: %s", nad.GetNamespace(), nad.GetName(), config)
	}

	d := deployment(ns, app, 2)
	d.Spec.Template.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: "kubernetes.io/hostname",
		WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}}}
	withPodAnnotations(d, map[string]string{spiderpoolv2beta1.AnnoMultusNetworks: ns + "/macvlan-net1"})
	createWorkload(t, ctx, d)
	pods := waitRunningPods(t, ctx, shared.c, ns, app, 2)
	var peer string
	for _, p := range pods {
		if pool, ip := nicPool(t, ctx, ns, p.Name, "net1"); pool != net1A {
			t.Errorf("pod %s: net1 %s from pool %q, want %s", p.Name, ip, pool, net1A)
		} else {
			peer = ip
			t.Logf("pod %s: eth0 %s, net1 %s", p.Name, p.Status.PodIP, ip)
		}
	}
	if err := ping(shared.lab, pods[0], peer); err != nil {
		t.Errorf("net1 to net1 over eth1: %v", err)
	}

	def := barePod(ns, "smc-default", "", nil, map[string]string{spiderpoolv2beta1.AnnoMultusDefaultNetwork: ns + "/macvlan-eth0"})
	createPods(t, ctx, def)
	running := waitPodRunning(t, ctx, ns, def.Name)
	if pool, ip := nicPool(t, ctx, ns, def.Name, "eth0"); pool != eth0Pool || running.Status.PodIP != ip {
		t.Errorf("pod %s: eth0 %s from pool %q (pod IP %s), want the pool %s", def.Name, ip, pool, running.Status.PodIP, eth0Pool)
	} else {
		t.Logf("pod %s: default network eth0 %s from %s", def.Name, ip, pool)
	}
	editAndRecreate(t, ns, net1, net1B)
}

// editAndRecreate moves the net1 network to pool next and checks a new
// pod's net1 comes from it, deletes the NAD by hand and waits for it to
// come back, then deletes the SpiderMultusConfig and waits for the garbage
// collector to delete the NAD.
func editAndRecreate(t *testing.T, ns string, smc *spiderpoolv2beta1.SpiderMultusConfig, next string) {
	t.Helper()
	ctx := testContext(t, ipamTimeout)
	key := client.ObjectKeyFromObject(smc)
	if err := shared.c.Get(ctx, key, smc); err != nil {
		t.Fatal(err)
	}
	smc.Spec.Macvlan.SpiderpoolConfigPools.IPv4IPPool = []string{next}
	if err := shared.c.Update(ctx, smc); err != nil {
		t.Fatalf("edit SpiderMultusConfig %s: %v", key, err)
	}
	nad := waitGeneratedNAD(t, ctx, key, "")
	after := barePod(ns, "smc-after-edit", "", nil, map[string]string{spiderpoolv2beta1.AnnoMultusNetworks: ns + "/" + smc.Name})
	createPods(t, ctx, after)
	waitPodRunning(t, ctx, ns, after.Name)
	if pool, ip := nicPool(t, ctx, ns, after.Name, "net1"); pool != next {
		t.Errorf("pod %s after the edit: net1 %s from pool %q, want %s", after.Name, ip, pool, next)
	} else {
		t.Logf("pod %s after the edit: net1 %s from %s", after.Name, ip, pool)
	}

	if err := shared.c.Delete(ctx, nad); err != nil {
		t.Fatalf("delete NAD %s by hand: %v", key, err)
	}
	again := waitGeneratedNAD(t, ctx, key, nad.GetUID())
	t.Logf("NAD %s deleted by hand (UID %s) is back (UID %s)", key, nad.GetUID(), again.GetUID())

	if err := shared.c.Delete(ctx, smc); err != nil {
		t.Fatalf("delete SpiderMultusConfig %s: %v", key, err)
	}
	waitNADGone(t, ctx, key)
	t.Logf("SpiderMultusConfig %s deleted: the garbage collector deleted its NAD", key)
}
