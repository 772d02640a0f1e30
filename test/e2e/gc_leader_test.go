// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/controller"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// TestGCLeaderFailover: with two controller replicas, the leader is
// stopped, the other replica takes the Lease over, and the GC goes on
// there: a pod force-deleted on a stopped node gets its addresses back,
// and the new leader counts them.
//
// The pools are created before any replica stops: the lab's webhooks point
// at replica 0 only.
func TestGCLeaderFailover(t *testing.T) {
	ctx := testContext(t, gcTimeout)
	e := upGCLab(t, ctx, "l", 2, 2, []string{
		config.EnvLeaderDuration + "=6", config.EnvLeaderRenewDeadline + "=4", config.EnvLeaderRetryPeriod + "=1",
	})
	const ns = "gc-lead"
	createNamespace(t, ctx, e.c, ns)
	victim := runBarePods(t, ctx, e.c, ns, e.lab.Nodes[1].Name, "victim")[0]
	live := runBarePods(t, ctx, e.c, ns, e.lab.Nodes[0].Name, "bystander")

	leader := waitLeaseHolder(t, ctx, e.c, func(h string) bool { return h != "" })
	old := replicaOf(t, leader)
	next := 1 - old
	if err := e.lab.StopController(old); err != nil {
		t.Fatalf("stop leader %s: %v", leader, err)
	}
	waitLeaseHolder(t, ctx, e.c, func(h string) bool { return h == lab.ControllerProcess(next) })
	before := gcCount(t, ctx, e.lab, next)

	stopped := stopNode(t, e.lab, e.lab.Nodes[1])
	forceDelete(t, ctx, e.c, victim)
	waitReleased(t, ctx, e.c, victim, true, gcPoolV4, gcPoolV6)
	if after := gcCount(t, ctx, e.lab, next); after < before+2 {
		t.Errorf("%s of the new leader %d went from %v to %v; want it to count the 2 released addresses",
			gcMetric, next, before, after)
	}
	stopped.restart(t)
	waitNetNSGone(t, ctx, e.lab, e.lab.PodNetNSPrefix()+string(victim.UID))
	assertStillHeld(t, ctx, e.c, live, gcPoolV4, gcPoolV6)
}

// waitLeaseHolder waits until the holder of the controllers' Lease
// satisfies ok, and returns it.
func waitLeaseHolder(t *testing.T, ctx context.Context, c client.Client, ok func(string) bool) string {
	t.Helper()
	var holder string
	key := client.ObjectKey{Namespace: "kube-system", Name: controller.LeaseName}
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		lease := &coordinationv1.Lease{}
		if err := c.Get(ctx, key, lease); err != nil {
			return false, nil //nolint:nilerr // not created yet or transient
		}
		holder = ptr.Deref(lease.Spec.HolderIdentity, "")
		return ok(holder), nil
	})
	if err != nil {
		t.Fatalf("Lease %s held by %q: %v", key, holder, err)
	}
	return holder
}

// replicaOf returns the replica index of a Lease holder "controller-<i>".
func replicaOf(t *testing.T, holder string) int {
	t.Helper()
	i, err := strconv.Atoi(strings.TrimPrefix(holder, "controller-"))
	if err != nil || i < 0 || i > 1 {
		t.Fatalf("Lease holder %q is not controller-0 or controller-1", holder)
	}
	return i
}
