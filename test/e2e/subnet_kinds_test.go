// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestSubnetTwoNICs: the subnets annotation gives a pod's eth0 and net1
// (macvlan on the nodes' eth1) addresses from two subnets, through one auto
// pool per interface, and net1 carries traffic between nodes.
func TestSubnetTwoNICs(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const ns, app, sub0, sub1 = "subnet-mn", "mn", "e2e-sub-63", "e2e-sub-64"
	createSubnet(t, ctx, sub0, "10.252.63.0/24", "10.252.63.10-10.252.63.29")
	createSubnet(t, ctx, sub1, "10.252.64.0/24", "10.252.64.10-10.252.64.29")
	createNamespaceMeta(t, ctx, ns, nil, nil)
	createNAD(t, ns, "macvlan-eth1",
		`{"cniVersion":"1.0.0","name":"macvlan-eth1","plugins":[{"type":"macvlan","master":"eth1","mode":"bridge","ipam":{"type":"spiderpool"}}]}`)
	d := deployment(ns, app, 2)
	d.Spec.Template.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
		MaxSkew: 1, TopologyKey: "kubernetes.io/hostname", WhenUnsatisfiable: corev1.DoNotSchedule,
		LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}},
	}}
	withPodAnnotations(d, annotations(
		"k8s.v1.cni.cncf.io/networks", "macvlan-eth1",
		spiderpoolv2beta1.AnnoSubnets, `[{"interface":"eth0","ipv4":["`+sub0+`"]},{"interface":"net1","ipv4":["`+sub1+`"]}]`,
	))
	createWorkload(t, ctx, d)
	pods := waitRunningPods(t, ctx, shared.c, ns, app, 2)
	eth0 := waitAppPool(t, ctx, "Deployment", ns, app, "eth0", 3)
	net1 := waitAppPool(t, ctx, "Deployment", ns, app, "net1", 3)
	addrs := map[string]string{}
	for _, p := range pods {
		addrs[p.Name] = assertTwoNICs(t, ctx, p, eth0.Name, net1.Name)
	}
	if t.Failed() {
		return
	}
	if err := ping(shared.lab, pods[0], addrs[pods[1].Name]); err != nil {
		t.Errorf("net1 to net1: %v", err)
	}
}

// TestSubnetCronJob: the Jobs of a CronJob take their addresses from the
// CronJob's auto pool (one pod per Job: size 1 + 1).
func TestSubnetCronJob(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const ns, app, sub = "subnet-cron", "cron", "e2e-sub-65"
	createSubnet(t, ctx, sub, "10.252.65.0/24", "10.252.65.10-10.252.65.29")
	createNamespaceMeta(t, ctx, ns, nil, nil)
	tmpl := podTemplate(app)
	tmpl.Annotations = annotations(spiderpoolv2beta1.AnnoSubnet, subnetAnno(sub))
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: app},
		Spec: batchv1.CronJobSpec{
			Schedule: "* * * * *", ConcurrencyPolicy: batchv1.ForbidConcurrent,
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
				Parallelism: ptr.To[int32](1), Completions: ptr.To[int32](1), Template: tmpl,
			}},
		},
	}
	createWorkload(t, ctx, cj)
	pool := waitAppPool(t, ctx, "CronJob", ns, app, "eth0", 2)
	// The first Job starts at the next minute.
	pods := waitRunningPods(t, ctx, shared.c, ns, app, 1)
	assertPodsFromPool(t, ctx, pods, pool)
}

// Widget is the tiny third-party controller kind of TestSubnetThirdParty.
const (
	widgetGroup = "e2e.spidernet.io"
	widgetCRD   = "widgets." + widgetGroup
)

// TestSubnetThirdParty: a pod controlled by an object of a CRD (no
// controller sizes its pool ahead) gets its fixed-size auto pool from the
// agent on ADD; one asking for a flexible size fails naming the
// annotation.
func TestSubnetThirdParty(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const ns, sub = "subnet-crd", "e2e-sub-66"
	createSubnet(t, ctx, sub, "10.252.66.0/24", "10.252.66.10-10.252.66.29")
	createWidgetCRD(t, ctx)
	createNamespaceMeta(t, ctx, ns, nil, nil)
	w := &unstructured.Unstructured{}
	w.SetAPIVersion(widgetGroup + "/v1")
	w.SetKind("Widget")
	w.SetNamespace(ns)
	w.SetName("w")
	createCleaned(t, ctx, w)
	owner := metav1.OwnerReference{APIVersion: widgetGroup + "/v1", Kind: "Widget", Name: "w", UID: w.GetUID(), Controller: ptr.To(true)}
	node := shared.lab.Nodes[0].Name

	fixed := barePod(ns, "fixed", node, map[string]string{"app": "w"},
		annotations(spiderpoolv2beta1.AnnoSubnet, subnetAnno(sub), spiderpoolv2beta1.AnnoPoolIPNumber, "2"))
	flexible := barePod(ns, "flexible", node, map[string]string{"app": "w"},
		annotations(spiderpoolv2beta1.AnnoSubnet, subnetAnno(sub), spiderpoolv2beta1.AnnoPoolIPNumber, "+1"))
	fixed.OwnerReferences = []metav1.OwnerReference{owner}
	flexible.OwnerReferences = []metav1.OwnerReference{owner}
	createPods(t, ctx, fixed, flexible)

	running := waitPodRunning(t, ctx, ns, "fixed")
	pool := waitAppPool(t, ctx, "Widget", ns, "w", "eth0", 2)
	assertPodsFromPool(t, ctx, []corev1.Pod{*running}, pool)
	waitSandboxFailure(t, ctx, ns, "flexible", spiderpoolv2beta1.AnnoPoolIPNumber, "fixed")
}

// createWidgetCRD creates the Widget CRD, waits until it is served, and
// deletes it at the end of the test.
func createWidgetCRD(t *testing.T, ctx context.Context) {
	t.Helper()
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": widgetCRD},
		"spec": map[string]any{
			"group": widgetGroup,
			"scope": "Namespaced",
			"names": map[string]any{"kind": "Widget", "listKind": "WidgetList", "plural": "widgets", "singular": "widget"},
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object", "x-kubernetes-preserve-unknown-fields": true,
				}},
			}},
		},
	}}
	createCleaned(t, ctx, crd)
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(ctx context.Context) (bool, error) {
		list := &unstructured.UnstructuredList{}
		list.SetAPIVersion(widgetGroup + "/v1")
		list.SetKind("WidgetList")
		return shared.c.List(ctx, list, client.InNamespace("default")) == nil, nil
	})
	if err != nil {
		t.Fatalf("CRD %s not served: %v", widgetCRD, err)
	}
}
