// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// The lab's underlay: every pool of these tests lives in the subnets of the
// default pools, with its own range away from theirs.
const (
	labSubnetV4  = "10.250.0.0/16"
	labGatewayV4 = "10.250.0.1"
	labSubnetV6  = "fd00:250::/64"
	labGatewayV6 = "fd00:250::1"

	// ipamTimeout bounds one IPAM test; pods may take minutes on a loaded
	// 2-core machine.
	ipamTimeout = 8 * time.Minute
	// podWait bounds waiting for pods to run or to go.
	podWait = 3 * time.Minute

	reasonFailedSandbox = "FailedCreatePodSandBox"
)

// poolOption adjusts a pool before it is created.
type poolOption func(*spiderpoolv2beta1.SpiderIPPool)

// ipPool returns a pool of the lab's subnet of version v, with its gateway.
func ipPool(name string, v int64, ips []string, opts ...poolOption) *spiderpoolv2beta1.SpiderIPPool {
	subnet, gw := labSubnetV4, labGatewayV4
	if v == 6 {
		subnet, gw = labSubnetV6, labGatewayV6
	}
	p := &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.IPPoolSpec{
			IPVersion: ptr.To(v), Subnet: subnet, IPs: ips, Gateway: ptr.To(gw),
		},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

// createPool creates p and deletes it when the test ends (after the
// workloads, whose cleanups were registered later).
func createPool(t *testing.T, ctx context.Context, p *spiderpoolv2beta1.SpiderIPPool) {
	t.Helper()
	createCleaned(t, ctx, p)
}

// createCleaned creates obj and deletes it when the test ends.
func createCleaned(t *testing.T, ctx context.Context, obj client.Object) {
	t.Helper()
	if err := shared.c.Create(ctx, obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
	t.Cleanup(func() {
		if err := shared.c.Delete(context.WithoutCancel(ctx), obj); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete %T %s: %v", obj, obj.GetName(), err)
		}
	})
}

// createNamespaceMeta creates a namespace with labels and annotations. The
// lab runs no namespace controller, so the namespace is left Terminating at
// the end; its workloads are removed by their own cleanups.
func createNamespaceMeta(t *testing.T, ctx context.Context, name string, labels, annotations map[string]string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, Annotations: annotations}}
	createCleaned(t, ctx, ns)
}

// ippoolAnnotation is the ipam.spidernet.io/ippool annotation for IPv4
// (and IPv6) pools, written by hand as a user would.
func ippoolAnnotation(v4, v6 []string) map[string]string {
	return map[string]string{spiderpoolv2beta1.AnnoPodIPPool: `{"ipv4":` + jsonList(v4) + `,"ipv6":` + jsonList(v6) + `}`}
}

func jsonList(names []string) string {
	if len(names) == 0 {
		return "[]"
	}
	return `["` + strings.Join(names, `","`) + `"]`
}

// barePod returns a pod without controller; node pins it (no scheduler)
// when non-empty.
func barePod(ns, name, node string, labels, annotations map[string]string) *corev1.Pod {
	tmpl := podTemplate(name)
	tmpl.Labels["ipam-e2e"] = "bare"
	for k, v := range labels {
		tmpl.Labels[k] = v
	}
	tmpl.Spec.NodeName = node
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: tmpl.Labels, Annotations: annotations},
		Spec:       tmpl.Spec,
	}
}

// createPods creates pods and, at the end of the test, deletes them and
// waits until the node simulators have released and removed them.
func createPods(t *testing.T, ctx context.Context, pods ...*corev1.Pod) {
	t.Helper()
	for _, p := range pods {
		if err := shared.c.Create(ctx, p); err != nil {
			t.Fatalf("create pod %s/%s: %v", p.Namespace, p.Name, err)
		}
	}
	t.Cleanup(func() {
		ctx := context.WithoutCancel(ctx)
		for _, p := range pods {
			if err := shared.c.Delete(ctx, p); err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("delete pod %s/%s: %v", p.Namespace, p.Name, err)
			}
		}
		for _, p := range pods {
			waitPodsGone(t, ctx, p.Namespace, client.MatchingFields{"metadata.name": p.Name})
		}
	})
}

// createWorkload creates a Deployment or StatefulSet whose pods carry
// label app=<name> and, at the end of the test, deletes it and waits until
// its pods are gone.
func createWorkload(t *testing.T, ctx context.Context, obj client.Object) {
	t.Helper()
	if err := shared.c.Create(ctx, obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
	t.Cleanup(func() {
		ctx := context.WithoutCancel(ctx)
		err := shared.c.Delete(ctx, obj, client.PropagationPolicy(metav1.DeletePropagationBackground))
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete %T %s: %v", obj, obj.GetName(), err)
		}
		waitPodsGone(t, ctx, obj.GetNamespace(), client.MatchingLabels{"app": obj.GetName()})
	})
}

// withPodAnnotations sets annotations on a workload's pod template.
func withPodAnnotations(obj client.Object, annotations map[string]string) {
	var meta *metav1.ObjectMeta
	switch w := obj.(type) {
	case *appsv1.Deployment:
		meta = &w.Spec.Template.ObjectMeta
	case *appsv1.StatefulSet:
		meta = &w.Spec.Template.ObjectMeta
	}
	meta.Annotations = annotations
}

// waitPodsGone waits until no pod of ns matches sel.
func waitPodsGone(t *testing.T, ctx context.Context, ns string, sel client.ListOption) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, podWait)
	defer cancel()
	var left int
	err := wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		list := &corev1.PodList{}
		if err := shared.c.List(ctx, list, client.InNamespace(ns), sel); err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		left = len(list.Items)
		return left == 0, nil
	})
	if err != nil {
		t.Errorf("%d pod(s) of namespace %s still there: %v", left, ns, err)
	}
}

// waitPodRunning waits until the pod runs with an IP and returns it.
func waitPodRunning(t *testing.T, ctx context.Context, ns, name string) *corev1.Pod {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, podWait)
	defer cancel()
	pod := &corev1.Pod{}
	err := wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		if err := shared.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, pod); err != nil {
			return false, nil //nolint:nilerr // transient or not created yet
		}
		return pod.Status.Phase == corev1.PodRunning && len(pod.Status.PodIPs) > 0, nil
	})
	if err != nil {
		t.Fatalf("pod %s/%s not Running with an IP: %v; events: %v", ns, name, err, podEvents(ctx, ns, name))
	}
	return pod
}

// waitNewPod waits for a pod of app that is not among old and returns its
// name.
func waitNewPod(t *testing.T, ctx context.Context, ns, app string, old []corev1.Pod) string {
	t.Helper()
	var name string
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(ctx context.Context) (bool, error) {
		list := &corev1.PodList{}
		if err := shared.c.List(ctx, list, client.InNamespace(ns), client.MatchingLabels{"app": app}); err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		for _, p := range list.Items {
			if !slices.ContainsFunc(old, func(o corev1.Pod) bool { return o.UID == p.UID }) {
				name = p.Name
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("no new pod of %s/%s: %v", ns, app, err)
	}
	return name
}

// scaleDeployment sets the replicas of d with a merge patch.
func scaleDeployment(t *testing.T, ctx context.Context, d *appsv1.Deployment, replicas int32) {
	t.Helper()
	patch := client.RawPatch(types.MergePatchType, []byte(fmt.Sprintf(`{"spec":{"replicas":%d}}`, replicas)))
	if err := shared.c.Patch(ctx, d, patch); err != nil {
		t.Fatalf("scale %s/%s to %d: %v", d.Namespace, d.Name, replicas, err)
	}
}
