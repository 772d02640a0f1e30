// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestGCControllerKilledDuringGC: pods are force-deleted on a stopped node,
// the controller is stopped right after the first ones (in the middle of
// their release), and the rest are force-deleted while no controller runs.
// Once the controller is back, every leaked address is free and every live
// pod, on either node, keeps its addresses.
//
// A kill between freeing a pod's records and dropping its SpiderEndpoint
// leaves that endpoint behind, with no record. Spiderpool removes such an
// endpoint only with enableCleanOutdatedEndpoint (off by default); ours
// drops it on its own, since its pod is gone and it holds nothing: no
// endpoint of a dead pod may be left, with the switch at its default.
func TestGCControllerKilledDuringGC(t *testing.T) {
	ctx := testContext(t, gcTimeout)
	e := upGCLab(t, ctx, "k", 2, 1, nil)
	const ns = "gc-kill"
	createNamespace(t, ctx, e.c, ns)
	down, up := e.lab.Nodes[1], e.lab.Nodes[0]
	doomed := runBarePods(t, ctx, e.c, ns, down.Name, "d0", "d1", "d2", "d3", "d4", "d5")
	live := append(runBarePods(t, ctx, e.c, ns, up.Name, "l0", "l1"), runBarePods(t, ctx, e.c, ns, down.Name, "l2")...)
	assertStillHeld(t, ctx, e.c, append(append([]*corev1.Pod{}, doomed...), live...), gcPoolV4, gcPoolV6)

	stopped := stopNode(t, e.lab, down)
	for _, p := range doomed[:3] {
		forceDelete(t, ctx, e.c, p)
	}
	if err := e.lab.StopController(0); err != nil {
		t.Fatalf("stop controller: %v", err)
	}
	for _, p := range doomed[3:] {
		forceDelete(t, ctx, e.c, p)
	}
	// With no controller and no DEL, nothing may free them yet.
	assertRecorded(t, ctx, e.c, doomed[3:], gcPoolV4, gcPoolV6)
	if err := e.lab.StartController(0); err != nil {
		t.Fatalf("start controller: %v", err)
	}

	for _, p := range doomed {
		waitReleased(t, ctx, e.c, p, true, gcPoolV4, gcPoolV6)
	}
	assertStillHeld(t, ctx, e.c, live, gcPoolV4, gcPoolV6)
	stopped.restart(t)
	for _, p := range doomed {
		waitNetNSGone(t, ctx, e.lab, e.lab.PodNetNSPrefix()+string(p.UID))
	}
	assertStillHeld(t, ctx, e.c, live, gcPoolV4, gcPoolV6)
}

// assertRecorded checks that the pools still hold both addresses of each
// pod incarnation.
func assertRecorded(t *testing.T, ctx context.Context, c client.Client, pods []*corev1.Pod, pools ...string) {
	t.Helper()
	recs, err := poolsRecords(ctx, c, pools...)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods {
		if held := heldBy(recs, p); len(held) != len(p.Status.PodIPs) {
			t.Errorf("pod %s/%s holds %v; want its %d addresses still recorded", p.Namespace, p.Name, held, len(p.Status.PodIPs))
		}
	}
}
