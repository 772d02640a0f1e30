// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
)

// TestConflictsCostTimeNotErrors: however many 409s the API server answers,
// the allocation succeeds while its context lives.
func TestConflictsCostTimeNotErrors(t *testing.T) {
	const conflicts = 25
	funcs, calls := conflictOnStatus(conflicts)
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	e := newEnv(t, testConfig(), funcs, pod, newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	got := allocateAll(t, e, pod)
	if diff := cmp.Diff([]string{"eth0:a=10.1.0.10/24"}, got); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	st := e.svc.Stats()
	if st.PoolConflicts != conflicts || calls.Load() != conflicts+1 {
		t.Errorf("conflicts = %d, status updates = %d; want %d and %d", st.PoolConflicts, calls.Load(), conflicts, conflicts+1)
	}
	if st.PoolReads != conflicts {
		t.Errorf("fresh reads = %d, want one per conflict (%d)", st.PoolReads, conflicts)
	}
}

// TestConflictsUntilDeadline: endless conflicts end with the context's error
// and leave nothing behind.
func TestConflictsUntilDeadline(t *testing.T) {
	funcs, _ := conflictOnStatus(1 << 40)
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	e := newEnv(t, testConfig(), funcs, pod, newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := e.svc.Allocate(ctx, addReq(pod, "eth0"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if recs := records(t, e.client, "a"); len(recs) != 0 {
		t.Errorf("records = %v, want none", recs)
	}
}

// TestLostRaceTakesNextAddress: another agent takes the lowest address
// between our read and our write; the write conflicts and we take the next.
func TestLostRaceTakesNextAddress(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	var once sync.Once
	e.store.BeforeWrite = func(ctx context.Context, m ipamtest.Method, obj client.Object) error {
		if m != ipamtest.UpdatePoolStatus {
			return nil
		}
		var err error
		once.Do(func() { err = takeAddress(ctx, e.client, "a", "10.1.0.10", "other/agent", "uid-other") })
		return err
	}
	got := allocateAll(t, e, pod)
	if diff := cmp.Diff([]string{"eth0:a=10.1.0.11/24"}, got); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	want := map[string]string{"10.1.0.10": "uid-other", "10.1.0.11": "uid-p"}
	if diff := cmp.Diff(want, records(t, e.client, "a")); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

// takeAddress records ip for holder in the pool, as another agent would.
func takeAddress(ctx context.Context, c client.Client, pool, ip, holder, uid string) error {
	p := &spiderpoolv2beta1.SpiderIPPool{}
	if err := c.Get(ctx, client.ObjectKey{Name: pool}, p); err != nil {
		return err
	}
	recs, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
	if err != nil {
		return err
	}
	recs[ip] = spiderpoolv2beta1.PoolIPAllocation{NamespacedName: holder, PodUID: uid}
	p.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(recs)
	n := int64(len(recs))
	p.Status.AllocatedIPCount = &n
	return c.Status().Update(ctx, p)
}

// TestConcurrentAgentsShareOnePool runs two services (two agents) and many
// concurrent ADDs on one pool: no address twice, the overflow fails with
// ErrPoolExhausted only, and operations are batched.
func TestConcurrentAgentsShareOnePool(t *testing.T) {
	const perAgent, size = 30, 50
	var objs []client.Object
	var pods []*corev1.Pod
	for i := range 2 * perAgent {
		pod := newPod(fmt.Sprintf("p%02d", i), withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
		pods, objs = append(pods, pod), append(objs, pod)
	}
	last := fmt.Sprintf("10.1.0.%d", 10+size-1)
	e := newEnv(t, testConfig(), interceptor.Funcs{}, append(objs, newPool("a", "10.1.0.0/24", []string{"10.1.0.10-" + last}))...)
	second, err := ipam.New(testConfig(), ipam.Deps{Cache: e.client, API: e.client, Store: e.store})
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	agents := []*ipam.Service{e.svc, second}
	errs := make([]error, len(pods))
	var wg sync.WaitGroup
	for i, pod := range pods {
		wg.Go(func() { _, errs[i] = agents[i%2].Allocate(t.Context(), addReq(pod, "eth0")) })
	}
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			if !errors.Is(err, ipam.ErrPoolExhausted) {
				t.Errorf("pod %d: %v", i, err)
			}
		}
	}
	recs := records(t, e.client, "a")
	if len(recs) != size || failed != len(pods)-size {
		t.Errorf("%d records and %d failures, want %d and %d", len(recs), failed, size, len(pods)-size)
	}
	seen := map[string]bool{}
	for _, uid := range recs {
		if seen[uid] {
			t.Errorf("pod %s holds two addresses", uid)
		}
		seen[uid] = true
	}
	for _, a := range agents {
		st := a.Stats()
		t.Logf("agent: %d ops in %d batches, %d conflicts, %d fresh reads", st.PoolOps, st.PoolBatches, st.PoolConflicts, st.PoolReads)
	}
}

// TestConcurrentRetriesOfOnePod: a runtime retrying an ADD while the first
// still runs gets the same answer, and the pod holds one address.
func TestConcurrentRetriesOfOnePod(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPools,
		`[{"interface":"eth0","ipv4":["a"]},{"interface":"net1","ipv4":["a"]}]`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	results := make([][]string, 8)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			res, err := e.svc.Allocate(t.Context(), addReq(pod, []string{"eth0", "net1"}[i%2]))
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = addrs(res)
		})
	}
	wg.Wait()
	for i := range results {
		if diff := cmp.Diff(results[0], results[i]); diff != "" {
			t.Errorf("call %d differs (-first +this):\n%s", i, diff)
		}
	}
	if n := len(records(t, e.client, "a")); n != 2 {
		t.Errorf("%d records, want 2", n)
	}
}
