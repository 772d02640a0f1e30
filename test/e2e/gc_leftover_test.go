// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestGCFinishedPodsLeaveNoEndpoint: a Job pod (restartPolicy Never) that
// completes, and a pod that a graceful node shutdown marked Failed (reason
// Terminated, restartPolicy Always), stay in the API as finished pods.
// Their addresses are freed (by the agent's DEL when the node stops their
// sandboxes, as a kubelet does; else by the controller's GC after their
// grace period) and their SpiderEndpoints are deleted too: their owner
// reference would delete them only with the pod, and they would go on
// listing addresses that the next pods get. The IPv4 pool holds two
// addresses, so the two pods created afterwards run only on the freed ones.
// The GC's own path for finished pods is tested in internal/gc.
//
// The simulator runs no container processes for ordinary pods, so the test
// writes the finished status the kubelet would; the simulator then stops
// the pod's sandbox as a kubelet does (CNI DEL), so the agent's DEL or the
// GC, whichever comes first, frees the addresses. The next pods take IPv6
// from another pool all the same, so that a sandbox torn down late cannot
// fail their duplicate address detection.
func TestGCFinishedPodsLeaveNoEndpoint(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, gcTimeout)
	const ns, v4, v6, v6Next = "gc-done", "gc-done-v4", "gc-done-v6", "gc-done-v6-next"
	pools := []string{v4, v6}
	createPool(t, ctx, ipPool(v4, 4, []string{"10.250.31.10-10.250.31.11"}))
	createPool(t, ctx, ipPool(v6, 6, []string{"fd00:250::31:10-fd00:250::31:11"}))
	createPool(t, ctx, ipPool(v6Next, 6, []string{"fd00:250::31:20-fd00:250::31:21"}))
	createNamespaceMeta(t, ctx, ns, nil, nil)
	anno := ippoolAnnotation([]string{v4}, []string{v6})
	createJob(t, ctx, completingJob(ns, "job", anno))
	shutdown := barePod(ns, "shutdown", "", nil, anno)
	shutdown.Spec.RestartPolicy = corev1.RestartPolicyAlways
	createPods(t, ctx, shutdown)
	finished := []*corev1.Pod{
		finishPod(t, ctx, waitRunningPods(t, ctx, shared.c, ns, "job", 1)[0].Name, ns, corev1.PodSucceeded, ""),
		finishPod(t, ctx, waitRunningIn(t, ctx, shared.c, ns, "shutdown").Name, ns, corev1.PodFailed, "Terminated"),
	}
	for _, p := range finished {
		waitReleased(t, ctx, shared.c, p, true, pools...)
	}
	nextAnno := ippoolAnnotation([]string{v4}, []string{v6Next})
	createPods(t, ctx, barePod(ns, "next-0", "", nil, nextAnno), barePod(ns, "next-1", "", nil, nextAnno))
	live := []*corev1.Pod{waitRunningIn(t, ctx, shared.c, ns, "next-0"), waitRunningIn(t, ctx, shared.c, ns, "next-1")}
	assertNoSharedAddress(t, ctx, ns)
	assertStillHeld(t, ctx, shared.c, live, v4, v6Next)
	for _, p := range finished {
		assertPhase(t, ctx, p, p.Status.Phase)
	}
}

// TestGCStuckTerminatingPodLeavesNoEndpoint: a pod deleted on a node whose
// simulator is down stays Terminating. Once its grace period is over the
// controller's GC frees its addresses (the NotReady switch is on by
// default) and deletes its SpiderEndpoint, which its owner reference would
// delete only with the pod. The next pod gets the freed IPv4 address, and
// only its endpoint lists it. When the node comes back, the late DEL of the
// stuck pod takes nothing from the new pod.
//
// The stopped simulator leaves the stuck pod's sandbox in place (as a node
// cut off from the API server would), whose IPv6 address would fail the
// next pod's duplicate address detection: the next pod takes IPv6 from
// another pool. It runs on the shared lab but not in parallel: a node is
// stopped.
func TestGCStuckTerminatingPodLeavesNoEndpoint(t *testing.T) {
	ctx := testContext(t, gcTimeout)
	const ns, v4, v6, v6Next = "gc-stuck", "gc-stuck-v4", "gc-stuck-v6", "gc-stuck-v6-next"
	pools := []string{v4, v6}
	createPool(t, ctx, ipPool(v4, 4, []string{"10.250.32.10"}))
	createPool(t, ctx, ipPool(v6, 6, []string{"fd00:250::32:10"}))
	createPool(t, ctx, ipPool(v6Next, 6, []string{"fd00:250::32:20"}))
	createNamespaceMeta(t, ctx, ns, nil, nil)
	node, other := shared.lab.Nodes[1], shared.lab.Nodes[0]
	anno := ippoolAnnotation([]string{v4}, []string{v6})
	createPods(t, ctx, barePod(ns, "stuck", node.Name, nil, anno))
	stuck := waitRunningIn(t, ctx, shared.c, ns, "stuck")

	stopped := stopNode(t, shared.lab, node)
	waitNodeReady(t, ctx, shared.c, node.Name, false)
	if err := shared.c.Delete(ctx, stuck, client.Preconditions{UID: &stuck.UID}); err != nil {
		t.Fatalf("delete pod %s: %v", stuck.Name, err)
	}
	waitReleased(t, ctx, shared.c, stuck, true, pools...)
	assertTerminating(t, ctx, shared.c, stuck)

	createPods(t, ctx, barePod(ns, "next", other.Name, nil, ippoolAnnotation([]string{v4}, []string{v6Next})))
	next := waitRunningIn(t, ctx, shared.c, ns, "next")
	assertNoSharedAddress(t, ctx, ns)

	stopped.restart(t)
	waitPodsGone(t, ctx, ns, client.MatchingFields{"metadata.name": stuck.Name})
	assertStillHeld(t, ctx, shared.c, []*corev1.Pod{next}, v4, v6Next)
	assertNoSharedAddress(t, ctx, ns)
}

// completingJob is a one-pod Job whose pod never restarts.
func completingJob(ns, name string, annotations map[string]string) *batchv1.Job {
	tmpl := podTemplate(name)
	tmpl.Annotations = annotations
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       batchv1.JobSpec{BackoffLimit: ptr.To[int32](0), Template: tmpl},
	}
}

// createJob creates job and deletes it, with its pod, when the test ends.
func createJob(t *testing.T, ctx context.Context, job *batchv1.Job) {
	t.Helper()
	if err := shared.c.Create(ctx, job); err != nil {
		t.Fatalf("create Job %s/%s: %v", job.Namespace, job.Name, err)
	}
	t.Cleanup(func() {
		err := shared.c.Delete(context.WithoutCancel(ctx), job, client.PropagationPolicy(metav1.DeletePropagationBackground))
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete Job %s/%s: %v", job.Namespace, job.Name, err)
		}
	})
}

// finishPod writes the status a kubelet writes when every container of the
// pod has exited for good: phase (Succeeded or Failed), reason, and
// terminated container states. It returns the pod as written.
func finishPod(t *testing.T, ctx context.Context, name, ns string, phase corev1.PodPhase, reason string) *corev1.Pod {
	t.Helper()
	pod := &corev1.Pod{}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := shared.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, pod); err != nil {
			return err
		}
		markFinished(pod, phase, reason, metav1.Now())
		return shared.c.Status().Update(ctx, pod)
	})
	if err != nil {
		t.Fatalf("mark pod %s/%s %s: %v", ns, name, phase, err)
	}
	return pod
}

func markFinished(pod *corev1.Pod, phase corev1.PodPhase, reason string, now metav1.Time) {
	exit := int32(0)
	if phase == corev1.PodFailed {
		exit = 137
	}
	pod.Status.Phase, pod.Status.Reason = phase, reason
	for i := range pod.Status.ContainerStatuses {
		cs := &pod.Status.ContainerStatuses[i]
		started := now
		if cs.State.Running != nil {
			started = cs.State.Running.StartedAt
		}
		cs.Ready, cs.Started = false, ptr.To(false)
		cs.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: exit, Reason: "Completed", StartedAt: started, FinishedAt: now}}
	}
	for i := range pod.Status.Conditions {
		if c := &pod.Status.Conditions[i]; c.Type == corev1.PodReady || c.Type == corev1.ContainersReady {
			c.Status, c.Reason, c.LastTransitionTime = corev1.ConditionFalse, "PodCompleted", now
		}
	}
}

// assertPhase checks that the pod still exists, in phase want.
func assertPhase(t *testing.T, ctx context.Context, pod *corev1.Pod, want corev1.PodPhase) {
	t.Helper()
	now := &corev1.Pod{}
	if err := shared.c.Get(ctx, client.ObjectKeyFromObject(pod), now); err != nil || now.UID != pod.UID || now.Status.Phase != want {
		t.Errorf("pod %s/%s: uid %s, phase %s (err %v); want uid %s still there, %s",
			pod.Namespace, pod.Name, now.UID, now.Status.Phase, err, pod.UID, want)
	}
}

// assertNoSharedAddress checks that no address is listed by two
// SpiderEndpoints of the namespace (what `kubectl get se` shows).
func assertNoSharedAddress(t *testing.T, ctx context.Context, ns string) {
	t.Helper()
	eps := &spiderpoolv2beta1.SpiderEndpointList{}
	if err := shared.c.List(ctx, eps, client.InNamespace(ns)); err != nil {
		t.Fatalf("list SpiderEndpoints of %s: %v", ns, err)
	}
	for addr, names := range endpointsByAddress(eps.Items) {
		if len(names) > 1 {
			t.Errorf("%s is listed by %d SpiderEndpoints: %v", addr, len(names), names)
		}
	}
}

// endpointsByAddress maps each address the endpoints list to their names.
func endpointsByAddress(eps []spiderpoolv2beta1.SpiderEndpoint) map[string][]string {
	by := map[string][]string{}
	for _, ep := range eps {
		for _, d := range ep.Status.Current.IPs {
			for _, cidr := range []*string{d.IPv4, d.IPv6} {
				if a := addrOf(cidr); a != "" {
					by[a] = append(by[a], fmt.Sprintf("%s (uid %s)", ep.Name, ep.Status.Current.UID))
				}
			}
		}
	}
	for _, names := range by {
		slices.Sort(names)
	}
	return by
}
