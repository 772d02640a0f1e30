// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"fmt"
	"math"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Agent metric names (docs/reference/interface.md §8.1).
const (
	mAllocations      = "spiderpool_ipam_allocation_counts_total"
	mAllocationFails  = "spiderpool_ipam_allocation_failure_counts_total"
	mAllocationUsedUp = "spiderpool_ipam_allocation_err_ip_used_out_counts_total"
	mReleases         = "spiderpool_ipam_release_counts_total"
	mReleaseFails     = "spiderpool_ipam_release_failure_counts_total"
	mAllocationHist   = "spiderpool_ipam_allocation_duration_seconds"
	mQueueWaitHist    = "spiderpool_ipam_allocation_limit_duration_seconds"
	mPoolAvailable    = "spiderpool_ippool_available_ip_counts"
	mPoolTotal        = "spiderpool_ippool_total_ip_counts"
	mPoolCount        = "spiderpool_total_ippool_counts"
	labelPool         = "SpiderIPPool"
)

// TestMetrics: the agents count allocations, releases and a pool that is
// used up; the controller's per-pool gauges follow the pool from creation,
// through allocation and release, to deletion.
func TestMetrics(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const ns, pool, size = "metrics-e2e", "e2e-metrics", 3
	createNamespaceMeta(t, ctx, ns, nil, nil)
	p := ipPool(pool, 4, []string{"10.250.40.10-10.250.40.12"})
	createPool(t, ctx, p)
	waitControllerValue(t, ctx, size, true, mPoolTotal, labelPool, pool)
	waitControllerValue(t, ctx, size, true, mPoolAvailable, labelPool, pool)
	assertAgentExposition(t, ctx)

	before := map[string]float64{}
	for _, m := range []string{mAllocations, mAllocationFails, mAllocationUsedUp, mReleases, mReleaseFails, mAllocationHist, mQueueWaitHist} {
		before[m] = agentsSum(t, ctx, m)
	}
	pods := metricsPods(ns, pool, size)
	createPods(t, ctx, pods...)
	for _, pod := range pods {
		waitPodRunning(t, ctx, ns, pod.Name)
	}
	got := waitAgentsAtLeast(t, ctx, mAllocations, before[mAllocations]+size)
	t.Logf("%s: %v -> %v", mAllocations, before[mAllocations], got)
	waitAgentsAtLeast(t, ctx, mAllocationHist, before[mAllocationHist]+size)
	waitAgentsAtLeast(t, ctx, mQueueWaitHist, before[mQueueWaitHist]+size)
	waitControllerValue(t, ctx, 0, true, mPoolAvailable, labelPool, pool)

	extra := metricsPods(ns, pool, size+1)[size:]
	createPods(t, ctx, extra...)
	waitSandboxFailure(t, ctx, ns, extra[0].Name, "all IP addresses used out", pool)
	fails := waitAgentsAtLeast(t, ctx, mAllocationFails, before[mAllocationFails]+1)
	usedUp := waitAgentsAtLeast(t, ctx, mAllocationUsedUp, before[mAllocationUsedUp]+1)
	t.Logf("%s: %v -> %v; %s: %v -> %v", mAllocationFails, before[mAllocationFails], fails,
		mAllocationUsedUp, before[mAllocationUsedUp], usedUp)

	deletePods(t, ctx, extra...) // first, so that it cannot take a freed address
	deletePods(t, ctx, pods...)
	got = waitAgentsAtLeast(t, ctx, mReleases, before[mReleases]+size)
	t.Logf("%s: %v -> %v", mReleases, before[mReleases], got)
	if fails := agentsSum(t, ctx, mReleaseFails); fails != before[mReleaseFails] {
		t.Logf("%s moved %v -> %v (another test's releases?)", mReleaseFails, before[mReleaseFails], fails)
	}
	waitControllerValue(t, ctx, size, true, mPoolAvailable, labelPool, pool)

	if err := shared.c.Delete(ctx, p); err != nil {
		t.Fatalf("delete pool: %v", err)
	}
	waitControllerValue(t, ctx, 0, false, mPoolAvailable, labelPool, pool)
	waitControllerValue(t, ctx, 0, false, mPoolTotal, labelPool, pool)
	if _, ok, _ := controllerValue(ctx, mPoolCount); !ok {
		t.Errorf("no controller replica exposes %s", mPoolCount)
	}
}

// metricsPods returns n bare pods of the test's pool.
func metricsPods(ns, pool string, n int) []*corev1.Pod {
	pods := make([]*corev1.Pod, 0, n)
	for i := range n {
		pods = append(pods, barePod(ns, fmt.Sprintf("m%d", i), "", nil, ippoolAnnotation([]string{pool}, nil)))
	}
	return pods
}

// deletePods deletes pods and waits until they are gone (CNI DEL done).
func deletePods(t *testing.T, ctx context.Context, pods ...*corev1.Pod) {
	t.Helper()
	for _, p := range pods {
		if err := shared.c.Delete(ctx, p); client.IgnoreNotFound(err) != nil {
			t.Fatalf("delete pod %s: %v", p.Name, err)
		}
	}
	for _, p := range pods {
		waitPodsGone(t, ctx, p.Namespace, client.MatchingFields{"metadata.name": p.Name})
	}
}

// assertAgentExposition: every agent serves its metrics on any path, with
// Spiderpool's histogram buckets.
func assertAgentExposition(t *testing.T, ctx context.Context) {
	t.Helper()
	want := []float64{0.1, 0.3, 0.5, 1, 3, 5, 7, 10, 15}
	for _, n := range shared.lab.Nodes {
		mfs, err := scrape(ctx, n.AgentMetricsPort, "/any/path")
		if err != nil {
			t.Fatalf("agent of %s: %v", n.Name, err)
		}
		mf, ok := mfs[mAllocationHist]
		if !ok || len(mf.GetMetric()) != 1 {
			t.Fatalf("agent of %s: no %s", n.Name, mAllocationHist)
		}
		var got []float64
		for _, b := range mf.GetMetric()[0].GetHistogram().GetBucket() {
			if !math.IsInf(b.GetUpperBound(), 1) { // the text format spells out +Inf
				got = append(got, b.GetUpperBound())
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("agent of %s: buckets %v, want %v", n.Name, got, want)
		}
	}
}
