// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/spiderpool-go/spiderpool/test/lab"
)

// TestGCForceDeletedPodWithoutDEL: a pod force-deleted while its node's
// kubelet (the simulator) is down never gets a CNI DEL in time; the
// controller's GC frees its addresses and drops its SpiderEndpoint. When the
// node comes back and runs the late DEL for the stale sandbox, no other pod
// loses its address.
//
// It runs on the shared lab but not in parallel: the node is stopped for a
// few seconds only, while no other test runs.
func TestGCForceDeletedPodWithoutDEL(t *testing.T) {
	ctx := testContext(t, gcTimeout)
	const ns, v4, v6 = "gc-force", "gc-force-v4", "gc-force-v6"
	pools := []string{v4, v6}
	createPool(t, ctx, ipPool(v4, 4, []string{"10.250.28.10-10.250.28.19"}))
	createPool(t, ctx, ipPool(v6, 6, []string{"fd00:250::28:10-fd00:250::28:1f"}))
	createNamespaceMeta(t, ctx, ns, nil, nil)
	node, other := shared.lab.Nodes[2], shared.lab.Nodes[0]
	anno := ippoolAnnotation([]string{v4}, []string{v6})
	victim := barePod(ns, "victim", node.Name, nil, anno)
	sibling := barePod(ns, "sibling", node.Name, nil, anno)
	far := barePod(ns, "far", other.Name, nil, anno)
	createPods(t, ctx, victim, sibling, far)
	victim = waitRunningIn(t, ctx, shared.c, ns, "victim")
	live := []*corev1.Pod{waitRunningIn(t, ctx, shared.c, ns, "sibling"), waitRunningIn(t, ctx, shared.c, ns, "far")}
	recs, err := poolsRecords(ctx, shared.c, pools...)
	if err != nil {
		t.Fatal(err)
	}
	if held := heldBy(recs, victim); len(held) != 2 {
		t.Fatalf("victim holds %v in %v before the test; want one IPv4 and one IPv6", held, pools)
	}
	before := gcCount(t, ctx, shared.lab, 0)

	stopped := stopNode(t, shared.lab, node)
	forceDelete(t, ctx, shared.c, victim)
	waitReleased(t, ctx, shared.c, victim, true, pools...)
	if after := gcCount(t, ctx, shared.lab, 0); after < before+2 {
		t.Errorf("%s went from %v to %v; want the controller's GC to count the 2 released addresses", gcMetric, before, after)
	}

	stopped.restart(t)
	waitNetNSGone(t, ctx, shared.lab, shared.lab.PodNetNSPrefix()+string(victim.UID))
	assertStillHeld(t, ctx, shared.c, live, pools...)
}

// waitNetNSGone waits until lab l has no network namespace named ns: the
// node simulator removes a pod's namespace after its CNI DEL.
func waitNetNSGone(t *testing.T, ctx context.Context, l *lab.Lab, ns string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(context.Context) (bool, error) {
		return !slices.Contains(l.NetNSes(), ns), nil
	})
	if err != nil {
		t.Fatalf("network namespace %s of the force-deleted pod still there: %v", ns, err)
	}
}
