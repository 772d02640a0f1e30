// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ctl"
)

// TestSubnetFlexibleDeploymentFollowsScale: a Deployment asking for a
// subnet without ippool-ip-number gets a flexible pool of replicas + 1
// (the lab's default redundant number); scaled 2 → 10 → 3 the pool grows
// to 11 and shrinks to 4, every pod's address comes from it, and the
// subnet's record, its metric and spiderpoolctl follow.
func TestSubnetFlexibleDeploymentFollowsScale(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const ns, app, sub = "subnet-flex", "flex", "e2e-sub-60"
	createSubnet(t, ctx, sub, "10.252.60.0/24", "10.252.60.10-10.252.60.99")
	createNamespaceMeta(t, ctx, ns, nil, nil)
	d := deployment(ns, app, 2)
	withPodAnnotations(d, annotations(spiderpoolv2beta1.AnnoSubnet, subnetAnno(sub)))
	createWorkload(t, ctx, d)

	for _, step := range []struct{ replicas, size int32 }{{2, 3}, {10, 11}, {3, 4}} {
		if step.replicas != 2 {
			scaleDeployment(t, ctx, d, step.replicas)
		}
		pods := waitRunningPods(t, ctx, shared.c, ns, app, int(step.replicas))
		pool := waitAppPool(t, ctx, "Deployment", ns, app, "eth0", int64(step.size))
		assertPodsFromPool(t, ctx, pods, pool)
		assertDistinctIPs(t, pods)
		waitSubnetPreAllocated(t, ctx, sub, int64(step.size))
		waitControllerValue(t, ctx, float64(90-step.size), true, "spiderpool_subnet_available_ip_counts", "SpiderSubnet", sub)
		if t.Failed() {
			return
		}
	}
	pods := waitRunningPods(t, ctx, shared.c, ns, app, 3)
	assertRoute(t, ctx, pods[0], "172.30.0.0/16", "10.252.60.1") // the subnet's, through the pool
	assertCtlShowsSubnet(t, ctx, sub, ns, app, 4, 3)
}

// assertCtlShowsSubnet checks spiderpoolctl's subnet list (pre-allocated,
// used) and that pool list names the application of its one pool.
func assertCtlShowsSubnet(t *testing.T, ctx context.Context, sub, ns, app string, preAllocated, used int64) {
	t.Helper()
	bin := ctlBinary(t, ctx)
	ctlLog(t, ctx, bin, "subnet", "list")
	var subnets ctl.SubnetList
	ctlJSON(t, ctx, bin, ctl.ExitOK, &subnets, "subnet", "list")
	var row *ctl.SubnetRow
	for i := range subnets.Subnets {
		if subnets.Subnets[i].Name == sub {
			row = &subnets.Subnets[i]
		}
	}
	if row == nil || row.PreAllocated != preAllocated || row.Used != used || len(row.Pools) != 1 {
		t.Fatalf("spiderpoolctl subnet list: %s is %+v; want %d pre-allocated, %d used, one pool", sub, row, preAllocated, used)
	}
	var pools ctl.PoolList
	ctlJSON(t, ctx, bin, ctl.ExitOK, &pools, "pool", "list")
	for _, p := range pools.Pools {
		if p.Name == row.Pools[0] && p.Application != "Deployment "+ns+"/"+app {
			t.Errorf("spiderpoolctl pool list: %s belongs to %q; want Deployment %s/%s", p.Name, p.Application, ns, app)
		}
	}
}

// assertRoute checks that the pod's SpiderEndpoint gives eth0 a route to
// dst via gw.
func assertRoute(t *testing.T, ctx context.Context, pod corev1.Pod, dst, gw string) {
	t.Helper()
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	if err := shared.c.Get(ctx, client.ObjectKeyFromObject(&pod), ep); err != nil {
		t.Fatalf("SpiderEndpoint of %s: %v", pod.Name, err)
	}
	for _, d := range ep.Status.Current.IPs {
		if d.NIC == "eth0" && slices.Contains(d.Routes, spiderpoolv2beta1.Route{Dst: dst, Gw: gw}) {
			return
		}
	}
	t.Errorf("pod %s: no eth0 route to %s via %s in %+v", pod.Name, dst, gw, ep.Status.Current.IPs)
}

// TestSubnetStatefulSetKeepsItsAddress: a StatefulSet pod of an auto pool
// deleted and re-created under its name gets its address back; its routes
// annotation overrides the route its subnet gives the pool.
func TestSubnetStatefulSetKeepsItsAddress(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const ns, app, sub = "subnet-sts", "db", "e2e-sub-61"
	createSubnet(t, ctx, sub, "10.252.61.0/24", "10.252.61.10-10.252.61.29")
	createNamespaceMeta(t, ctx, ns, nil, nil)
	sts := statefulSet(ns, app, 2)
	withPodAnnotations(sts, annotations(spiderpoolv2beta1.AnnoSubnet, subnetAnno(sub), spiderpoolv2beta1.AnnoPoolIPNumber, "+2",
		spiderpoolv2beta1.AnnoPodRoutes, `[{"dst":"172.30.0.0/16","gw":"10.252.61.254"}]`))
	createWorkload(t, ctx, sts)

	pods := waitRunningPods(t, ctx, shared.c, ns, app, 2)
	pool := waitAppPool(t, ctx, "StatefulSet", ns, app, "eth0", 4)
	assertPodsFromPool(t, ctx, pods, pool)
	old := waitPodRunning(t, ctx, ns, app+"-0")
	if err := shared.c.Delete(ctx, old); err != nil {
		t.Fatalf("delete %s: %v", old.Name, err)
	}
	renewed := waitPodReplaced(t, ctx, old)
	if got, want := podIPStrings(renewed), podIPStrings(old); !slices.Equal(got, want) {
		t.Errorf("re-created %s has %v; want the old pod's %v", old.Name, got, want)
	}
	assertPodsFromPool(t, ctx, []corev1.Pod{*renewed}, pool)
	assertRoute(t, ctx, *renewed, "172.30.0.0/16", "10.252.61.254") // the pod's route wins over the subnet's
}

// TestSubnetReclaim: deleting an application deletes its auto pool when
// ippool-reclaim is true (the default) and keeps it when false; a new
// Deployment of the same name then takes the kept pool over.
func TestSubnetReclaim(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const ns, sub = "subnet-reclaim", "e2e-sub-62"
	createSubnet(t, ctx, sub, "10.252.62.0/24", "10.252.62.10-10.252.62.49")
	createNamespaceMeta(t, ctx, ns, nil, nil)
	gone := deployment(ns, "gone", 1)
	withPodAnnotations(gone, annotations(spiderpoolv2beta1.AnnoSubnet, subnetAnno(sub)))
	kept := deployment(ns, "kept", 1)
	withPodAnnotations(kept, annotations(spiderpoolv2beta1.AnnoSubnet, subnetAnno(sub), spiderpoolv2beta1.AnnoPoolReclaim, "false"))
	for _, d := range []*appsv1.Deployment{gone, kept} {
		if err := shared.c.Create(ctx, d); err != nil {
			t.Fatalf("create deployment %s: %v", d.Name, err)
		}
		waitRunningPods(t, ctx, shared.c, ns, d.Name, 1)
	}
	waitAppPool(t, ctx, "Deployment", ns, "gone", "eth0", 2)
	keptPool := waitAppPool(t, ctx, "Deployment", ns, "kept", "eth0", 2)
	for _, d := range []*appsv1.Deployment{gone, kept} {
		deleteWorkload(t, ctx, d)
	}
	waitNoAppPool(t, ctx, "Deployment", ns, "gone")
	still := &spiderpoolv2beta1.SpiderIPPool{}
	if err := shared.c.Get(ctx, client.ObjectKeyFromObject(keptPool), still); err != nil {
		t.Fatalf("the reclaim-false pool %s: %v", keptPool.Name, err)
	}

	again := deployment(ns, "kept", 1)
	withPodAnnotations(again, annotations(spiderpoolv2beta1.AnnoSubnet, subnetAnno(sub), spiderpoolv2beta1.AnnoPoolReclaim, "true"))
	createWorkload(t, ctx, again)
	pods := waitRunningPods(t, ctx, shared.c, ns, "kept", 1)
	pool := waitAppPool(t, ctx, "Deployment", ns, "kept", "eth0", 2)
	if pool.Name != keptPool.Name || pool.Labels[spiderpoolv2beta1.LabelOwnerApplicationUID] != string(again.UID) {
		t.Errorf("the new Deployment kept has pool %s of app UID %s; want %s taken over for UID %s", pool.Name,
			pool.Labels[spiderpoolv2beta1.LabelOwnerApplicationUID], keptPool.Name, again.UID)
	}
	assertPodsFromPool(t, ctx, pods, pool)
}

// deleteWorkload deletes a workload in the background and waits until its
// pods are gone.
func deleteWorkload(t *testing.T, ctx context.Context, obj client.Object) {
	t.Helper()
	err := shared.c.Delete(ctx, obj, client.PropagationPolicy(metav1.DeletePropagationBackground))
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatalf("delete %T %s: %v", obj, obj.GetName(), err)
	}
	waitPodsGone(t, ctx, obj.GetNamespace(), client.MatchingLabels{"app": obj.GetName()})
}
