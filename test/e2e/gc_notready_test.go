// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

// keptAfterGrace is how long past its grace period a terminating pod's
// addresses must stay when the GC must keep them. The full scan runs every
// gcScanInterval seconds in these labs, so both GC paths get their chance.
const (
	keptAfterGrace = 20 * time.Second
	gcScanInterval = "5"
)

// TestGCTerminatingPodOnNotReadyNode: a Deployment pod deleted on a node
// that went NotReady stays Terminating (no kubelet runs its DEL). With
// SPIDERPOOL_GC_STATELESS_TERMINATING_POD_ON_NOT_READY_NODE_ENABLED on (the
// default), the GC frees its addresses once its grace period is over,
// while the pod is still Terminating; with it off, they are kept. Each
// case has its own lab, and the node comes back at the end.
func TestGCTerminatingPodOnNotReadyNode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, suffix string
		env          []string
		released     bool
	}{
		{name: "enabled", suffix: "e", released: true},
		{name: "disabled", suffix: "d", env: []string{config.EnvGCStatelessTerminatingPodOnNotReadyNode + "=false"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t, gcTimeout)
			e := upGCLab(t, ctx, tc.suffix, 2, 1, append(tc.env, config.EnvGCDefaultIntervalDuration+"="+gcScanInterval))
			pod, node := terminatingOnNotReadyNode(t, ctx, e)
			if tc.released {
				waitReleased(t, ctx, e.c, pod, false, gcPoolV4, gcPoolV6)
				assertTerminating(t, ctx, e.c, pod)
			} else {
				assertKeptPastGrace(t, ctx, e.c, pod)
			}
			node.restart(t)
			waitReleased(t, ctx, e.c, pod, true, gcPoolV4, gcPoolV6)
		})
	}
}

// terminatingOnNotReadyNode runs a one-pod Deployment pinned to the lab's
// second node, stops that node, waits for it to go NotReady, and deletes
// the pod normally (grace period 1 s from its spec).
func terminatingOnNotReadyNode(t *testing.T, ctx context.Context, e gcEnv) (*corev1.Pod, *stoppedNode) {
	t.Helper()
	const ns, app = "gc-notready", "web"
	createNamespace(t, ctx, e.c, ns)
	n := e.lab.Nodes[1]
	d := deployment(ns, app, 1)
	d.Spec.Template.Spec.NodeName = n.Name
	if err := e.c.Create(ctx, d); err != nil {
		t.Fatalf("create deployment: %v", err)
	}
	pod := &waitRunningPods(t, ctx, e.c, ns, app, 1)[0]
	recs, err := poolsRecords(ctx, e.c, gcPoolV4, gcPoolV6)
	if err != nil || len(heldBy(recs, pod)) != 2 {
		t.Fatalf("pod %s holds %v (err %v); want an IPv4 and an IPv6 address", pod.Name, heldBy(recs, pod), err)
	}
	stopped := stopNode(t, e.lab, n)
	waitNodeReady(t, ctx, e.c, n.Name, false)
	if err := e.c.Delete(ctx, pod, client.Preconditions{UID: &pod.UID}); err != nil {
		t.Fatalf("delete pod %s: %v", pod.Name, err)
	}
	assertTerminating(t, ctx, e.c, pod)
	return pod, stopped
}

// assertTerminating checks that the pod still exists, being deleted.
func assertTerminating(t *testing.T, ctx context.Context, c client.Client, pod *corev1.Pod) {
	t.Helper()
	now := &corev1.Pod{}
	if err := c.Get(ctx, client.ObjectKeyFromObject(pod), now); err != nil || now.UID != pod.UID || now.DeletionTimestamp == nil {
		t.Fatalf("pod %s/%s not Terminating (uid %s, deletionTimestamp %v, err %v)",
			pod.Namespace, pod.Name, now.UID, now.DeletionTimestamp, err)
	}
}

// assertKeptPastGrace checks, until keptAfterGrace after the pod's grace
// period, that the pod is still Terminating and its records are all there.
func assertKeptPastGrace(t *testing.T, ctx context.Context, c client.Client, pod *corev1.Pod) {
	t.Helper()
	now := &corev1.Pod{}
	if err := c.Get(ctx, client.ObjectKeyFromObject(pod), now); err != nil {
		t.Fatalf("get pod %s: %v", pod.Name, err)
	}
	grace := time.Duration(ptr.Deref(now.DeletionGracePeriodSeconds, 0)) * time.Second
	until := now.DeletionTimestamp.Add(grace + keptAfterGrace)
	for time.Now().Before(until) {
		recs, err := poolsRecords(ctx, c, gcPoolV4, gcPoolV6)
		if err != nil {
			t.Fatal(err)
		}
		if held := heldBy(recs, pod); len(held) != 2 {
			t.Fatalf("pod %s on a NotReady node with the switch off holds %v; want both addresses kept", pod.Name, held)
		}
		assertTerminating(t, ctx, c, pod)
		time.Sleep(time.Second)
	}
}
