// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"os"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestGCControllerKilledDuringGC: pods are force-deleted on a stopped node,
// the controller is stopped right after the first ones (in the middle of
// their release), and the rest are force-deleted while no controller runs.
// Once the controller is back, every leaked address is free and every live
// pod, on either node, keeps its addresses.
//
// A kill between freeing a pod's records and dropping its SpiderEndpoint
// leaves that endpoint behind, with no record: as in Spiderpool, only
// enableCleanOutdatedEndpoint (off by default) removes such an endpoint,
// so the test turns it on and restarts the controller once more to check
// that no endpoint of a dead pod is left.
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
		waitReleased(t, ctx, e.c, p, false, gcPoolV4, gcPoolV6)
	}
	assertStillHeld(t, ctx, e.c, live, gcPoolV4, gcPoolV6)
	t.Logf("%d endpoint(s) of dead pods left after the restart, with no record", leftEndpoints(ctx, e.c, doomed))
	restartCleaningOutdatedEndpoints(t, e)
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

// restartCleaningOutdatedEndpoints restarts the controller of e with
// enableCleanOutdatedEndpoint on in its configuration.
func restartCleaningOutdatedEndpoints(t *testing.T, e gcEnv) {
	t.Helper()
	if err := e.lab.StopController(0); err != nil {
		t.Fatalf("stop controller: %v", err)
	}
	conf, err := os.ReadFile(e.lab.ControllerConfig())
	if err != nil {
		t.Fatalf("read controller config: %v", err)
	}
	conf = append(conf, "enableCleanOutdatedEndpoint: true\n"...)
	if err := os.WriteFile(e.lab.ControllerConfig(), conf, 0o600); err != nil {
		t.Fatalf("write controller config: %v", err)
	}
	if err := e.lab.StartController(0); err != nil {
		t.Fatalf("start controller: %v", err)
	}
}

// leftEndpoints counts the pods whose SpiderEndpoint still records them.
func leftEndpoints(ctx context.Context, c client.Client, pods []*corev1.Pod) int {
	n := 0
	for _, p := range pods {
		ep := &spiderpoolv2beta1.SpiderEndpoint{}
		if err := c.Get(ctx, client.ObjectKeyFromObject(p), ep); err == nil && ep.Status.Current.UID == string(p.UID) {
			n++
		}
	}
	return n
}
