// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestGCStatefulSetRapidScaleNoDuplicate: a StatefulSet scaled between 0,
// 1 and 3 replicas 50 times, without waiting for it to settle, never has
// two live pods on one address, and a live pod's addresses stay recorded
// for it (Spiderpool #3751, #3817: a late GC freed the record of the new
// owner). Its pools are small so that addresses are reused all the time.
func TestGCStatefulSetRapidScaleNoDuplicate(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, gcTimeout)
	const ns, app, steps = "gc-sts", "churn", 50
	sts, pools := churnStatefulSet(t, ctx, ns, app, 29)

	targets := []int32{1, 3, 0, 3, 1, 0, 1, 3}
	rng := rand.New(rand.NewPCG(3751, 3817)) //nolint:gosec // test pacing, not security
	seen := map[types.UID]bool{}
	var leaks []string
	for i := range steps {
		scaleStatefulSet(t, ctx, sts, targets[i%len(targets)])
		time.Sleep(time.Duration(200+rng.IntN(1800)) * time.Millisecond)
		problems, owners := churnProblems(ctx, ns, app, pools, seen)
		for _, p := range problems {
			t.Errorf("step %d (replicas %d): %s", i, targets[i%len(targets)], p)
		}
		for _, p := range owners {
			leaks = append(leaks, fmt.Sprintf("step %d: %s", i, p))
		}
	}
	// The churn must have re-created pods many times over, or it proved nothing.
	if len(seen) < 2*3 {
		t.Errorf("only %d pod incarnations ran during the churn; want many more", len(seen))
	}
	t.Logf("%d pod incarnations ran with an address during %d scale steps", len(seen), steps)

	scaleStatefulSet(t, ctx, sts, 3)
	waitRunningPods(t, ctx, shared.c, ns, app, 3)
	if left := waitChurnSettled(t, ctx, ns, app, pools, 3, releaseWait); len(left) > 0 {
		t.Errorf("records left after settling (during the churn: %v): %v", leaks, left)
	}
}

// TestGCStatefulSetScaleCyclesLeaveNoRecord: 100 rapid cycles 3 -> 1 -> 3
// of a StatefulSet never put two live pods on one address, and within 60 s
// of the last cycle no record of a dead incarnation is left: the agent's
// DEL and the event-driven GC free them, not the 600 s full scan.
func TestGCStatefulSetScaleCyclesLeaveNoRecord(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, 2*gcTimeout)
	const ns, app, cycles = "gc-sts-cycles", "cycle", 100
	sts, pools := churnStatefulSet(t, ctx, ns, app, 35)

	rng := rand.New(rand.NewPCG(100, 3)) //nolint:gosec // test pacing, not security
	seen := map[types.UID]bool{}
	for i := range cycles {
		for _, replicas := range []int32{1, 3} {
			scaleStatefulSet(t, ctx, sts, replicas)
			time.Sleep(time.Duration(300+rng.IntN(2000)) * time.Millisecond)
			problems, _ := churnProblems(ctx, ns, app, pools, seen)
			for _, p := range problems {
				t.Errorf("cycle %d (replicas %d): %s", i, replicas, p)
			}
		}
	}
	t.Logf("%d pod incarnations ran with an address during %d cycles", len(seen), cycles)
	if len(seen) < cycles/10 { // some cycles must let pods start, or nothing was adopted and freed
		t.Errorf("only %d pod incarnations ran with an address; want at least %d", len(seen), cycles/10)
	}
	start := time.Now()
	if left := waitChurnSettled(t, ctx, ns, app, pools, 3, time.Minute); len(left) > 0 {
		t.Errorf("60 s after the last cycle, records of dead incarnations are left: %v", left)
	}
	t.Logf("settled %v after the last cycle", time.Since(start).Round(time.Second))
}

// churnStatefulSet creates, in namespace ns, a Parallel StatefulSet app of
// 3 running pods whose addresses come from two small pools of its own (six
// addresses each, in 10.250.<block>.0/24 and fd00:250::<block>:0/112, so
// that addresses are reused all the time), and returns it with the pools'
// names.
func churnStatefulSet(t *testing.T, ctx context.Context, ns, app string, block int) (*appsv1.StatefulSet, []string) {
	t.Helper()
	v4, v6 := "gc-"+app+"-v4", "gc-"+app+"-v6"
	createPool(t, ctx, ipPool(v4, 4, []string{fmt.Sprintf("10.250.%d.10-10.250.%d.15", block, block)}))
	createPool(t, ctx, ipPool(v6, 6, []string{fmt.Sprintf("fd00:250::%d:10-fd00:250::%d:15", block, block)}))
	createNamespaceMeta(t, ctx, ns, nil, nil)
	sts := statefulSet(ns, app, 3)
	sts.Spec.PodManagementPolicy = appsv1.ParallelPodManagement
	withPodAnnotations(sts, ippoolAnnotation([]string{v4}, []string{v6}))
	createWorkload(t, ctx, sts)
	waitRunningPods(t, ctx, shared.c, ns, app, 3)
	return sts, []string{v4, v6}
}

func scaleStatefulSet(t *testing.T, ctx context.Context, s *appsv1.StatefulSet, replicas int32) {
	t.Helper()
	patch := client.RawPatch(types.MergePatchType, fmt.Appendf(nil, `{"spec":{"replicas":%d}}`, replicas))
	if err := shared.c.Patch(ctx, s, patch); err != nil {
		t.Fatalf("scale %s/%s to %d: %v", s.Namespace, s.Name, replicas, err)
	}
}

// livePods lists the pods of app that run with an IP and are not being
// deleted, by UID.
func livePods(ctx context.Context, ns, app string) (map[types.UID]corev1.Pod, error) {
	list := &corev1.PodList{}
	if err := shared.c.List(ctx, list, client.InNamespace(ns), client.MatchingLabels{"app": app}); err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	live := map[types.UID]corev1.Pod{}
	for _, p := range list.Items {
		if p.Status.Phase == corev1.PodRunning && len(p.Status.PodIPs) > 0 && p.DeletionTimestamp == nil {
			live[p.UID] = p
		}
	}
	return live, nil
}

// churnProblems lists the pods, reads the pools, lists the pods again, and
// reports: two live pods on one address; a pool recording one pod twice;
// a pod live in both listings (so live while the pools were read) whose
// address is not recorded for it. It adds the live pods' UIDs to seen. The
// pools recording one pod twice come apart, in owners.
func churnProblems(ctx context.Context, ns, app string, pools []string, seen map[types.UID]bool) (problems, owners []string) {
	before, err := livePods(ctx, ns, app)
	if err != nil {
		return []string{err.Error()}, nil
	}
	perPool := map[string]spiderpoolv2beta1.PoolIPAllocations{}
	all := spiderpoolv2beta1.PoolIPAllocations{}
	for _, name := range pools {
		recs, err := poolsRecords(ctx, shared.c, name)
		if err != nil {
			return []string{err.Error()}, nil
		}
		perPool[name] = recs
		for ip, r := range recs {
			all[ip] = r
		}
	}
	after, err := livePods(ctx, ns, app)
	if err != nil {
		return []string{err.Error()}, nil
	}
	problems = duplicateIPs(after)
	owners = duplicateOwners(perPool)
	for uid, p := range after {
		seen[uid] = true
		if _, ok := before[uid]; !ok {
			continue
		}
		for _, ip := range p.Status.PodIPs {
			if r, ok := all[ip.IP]; !ok || r.NamespacedName != ns+"/"+p.Name || r.PodUID != string(uid) {
				problems = append(problems, fmt.Sprintf("live pod %s (uid %s) has %s but the pool records %+v (present %v)",
					p.Name, uid, ip.IP, r, ok))
			}
		}
	}
	return problems, owners
}

// duplicateIPs reports addresses that two pods have.
func duplicateIPs(pods map[types.UID]corev1.Pod) []string {
	owner := map[string]string{}
	var problems []string
	for _, p := range pods {
		for _, ip := range p.Status.PodIPs {
			if o, ok := owner[ip.IP]; ok {
				problems = append(problems, fmt.Sprintf("pods %s and %s both have %s", o, p.Name, ip.IP))
			}
			owner[ip.IP] = p.Name
		}
	}
	return problems
}

// duplicateOwners reports a pod that holds two addresses of one pool.
func duplicateOwners(perPool map[string]spiderpoolv2beta1.PoolIPAllocations) []string {
	var problems []string
	for pool, recs := range perPool {
		ips := map[string][]string{}
		for ip, r := range recs {
			ips[r.NamespacedName] = append(ips[r.NamespacedName], ip+" uid "+r.PodUID)
		}
		for pod, held := range ips {
			if len(held) > 1 {
				slices.Sort(held)
				problems = append(problems, fmt.Sprintf("pool %s records %s for %v", pool, pod, held))
			}
		}
	}
	return problems
}

// waitChurnSettled waits, at most within, until want pods run with distinct addresses, each
// pool holds exactly their records, and allocatedIPCount matches. Two live
// pods on one address is an error; the other problems left at the end are
// returned.
func waitChurnSettled(t *testing.T, ctx context.Context, ns, app string, pools []string, want int, within time.Duration) []string {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, time.Second, within, true, func(ctx context.Context) (bool, error) {
		return len(settledProblems(ctx, ns, app, pools, want)) == 0, nil
	})
	if err == nil {
		return nil
	}
	live, err := livePods(context.WithoutCancel(ctx), ns, app)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range duplicateIPs(live) {
		t.Errorf("after settling: %s", p)
	}
	return settledProblems(context.WithoutCancel(ctx), ns, app, pools, want)
}

func settledProblems(ctx context.Context, ns, app string, pools []string, want int) []string {
	live, err := livePods(ctx, ns, app)
	if err != nil {
		return []string{err.Error()}
	}
	problems := duplicateIPs(live)
	if len(live) != want {
		problems = append(problems, fmt.Sprintf("%d live pods; want %d", len(live), want))
	}
	for _, name := range pools {
		p := &spiderpoolv2beta1.SpiderIPPool{}
		if err := shared.c.Get(ctx, client.ObjectKey{Name: name}, p); err != nil {
			return append(problems, err.Error())
		}
		recs, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
		if err != nil {
			return append(problems, err.Error())
		}
		if len(recs) != want || allocatedCount(p) != int64(want) {
			problems = append(problems, fmt.Sprintf("pool %s: %d records, allocatedIPCount %d; want %d",
				name, len(recs), allocatedCount(p), want))
		}
		for ip, r := range recs {
			p, ok := live[types.UID(r.PodUID)]
			if !ok || r.NamespacedName != ns+"/"+p.Name || !slices.Contains(podIPStrings(&p), ip) {
				problems = append(problems, fmt.Sprintf("pool %s: %s recorded for %+v, no live pod of that uid has it", name, ip, r))
			}
		}
	}
	return problems
}
