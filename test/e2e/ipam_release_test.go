// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestIPAMScaleUpDownReleasesAll: a Deployment scaled 0 -> 20 -> 0 leaves
// its pool without a record and its namespace without a SpiderEndpoint.
func TestIPAMScaleUpDownReleasesAll(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const ns, pool, poolRange = "ipam-scale", "e2e-scale", "10.250.25.10-10.250.25.39"
	createPool(t, ctx, ipPool(pool, 4, []string{poolRange}))
	createNamespaceMeta(t, ctx, ns, nil, nil)
	d := deployment(ns, "scale", 0)
	withPodAnnotations(d, ippoolAnnotation([]string{pool}, nil))
	createWorkload(t, ctx, d)

	scaleDeployment(t, ctx, d, 20)
	pods := waitRunningPods(t, ctx, shared.c, ns, "scale", 20)
	assertDistinctIPs(t, pods)
	for i := range pods {
		assertPodIPs(t, &pods[i], poolRange, "")
	}
	waitPoolRecords(t, ctx, pool, 20)

	eps := &spiderpoolv2beta1.SpiderEndpointList{}
	if err := shared.c.List(ctx, eps, client.InNamespace(ns)); err != nil || len(eps.Items) != 20 {
		t.Errorf("%d SpiderEndpoints in %s at 20 replicas (list error %v); want 20", len(eps.Items), ns, err)
	}

	scaleDeployment(t, ctx, d, 0)
	waitPodsGone(t, ctx, ns, client.MatchingLabels{"app": "scale"})
	waitPoolEmpty(t, ctx, pool)
	waitNoEndpoints(t, ctx, ns)
}

// waitPoolEmpty waits until the pool has no allocation record and an
// allocatedIPCount of 0.
func waitPoolEmpty(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{}
	err := wait.PollUntilContextTimeout(ctx, time.Second, time.Minute, true, func(ctx context.Context) (bool, error) {
		if err := shared.c.Get(ctx, client.ObjectKey{Name: name}, p); err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		return p.Status.AllocatedIPs == nil && allocatedCount(p) == 0, nil
	})
	if err != nil {
		t.Errorf("pool %s still holds addresses: allocatedIPCount %d, allocatedIPs %s: %v",
			name, allocatedCount(p), ptrString(p.Status.AllocatedIPs), err)
	}
}

// waitNoEndpoints waits until the namespace has no SpiderEndpoint.
func waitNoEndpoints(t *testing.T, ctx context.Context, ns string) {
	t.Helper()
	list := &spiderpoolv2beta1.SpiderEndpointList{}
	err := wait.PollUntilContextTimeout(ctx, time.Second, time.Minute, true, func(ctx context.Context) (bool, error) {
		if err := shared.c.List(ctx, list, client.InNamespace(ns)); err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		return len(list.Items) == 0, nil
	})
	if err != nil {
		names := make([]string, 0, len(list.Items))
		for _, ep := range list.Items {
			names = append(names, ep.Name)
		}
		t.Errorf("SpiderEndpoints left in %s: %v: %v", ns, names, err)
	}
}

func ptrString(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
