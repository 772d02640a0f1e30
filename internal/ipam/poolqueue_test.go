// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
)

func withPoolUID(uid string) poolOpt {
	return func(p *spiderpoolv2beta1.SpiderIPPool) { p.UID = types.UID(uid) }
}

// recreatePool deletes pool name and creates want in its place, as
// `kubectl replace --force` does once the pool is empty.
func recreatePool(t *testing.T, e *env, want *spiderpoolv2beta1.SpiderIPPool) {
	t.Helper()
	old := &spiderpoolv2beta1.SpiderIPPool{}
	old.Name = want.Name
	if err := e.client.Delete(t.Context(), old); err != nil {
		t.Fatal(err)
	}
	if err := e.client.Create(t.Context(), want); err != nil {
		t.Fatal(err)
	}
}

// TestRecreatedPoolAllocatesFromNewSpec (review #1): a pool deleted and
// re-created under the same name with another subnet (same generation, same
// reserved IPs) is allocated from the new object's ranges, not from the
// usable set the queue computed for the old one.
func TestRecreatedPoolAllocatesFromNewSpec(t *testing.T) {
	p1 := newPod("p1", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	p2 := newPod("p2", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, p1, p2,
		newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}, withPoolUID("uid-pool-1")))
	allocateAll(t, e, p1)
	deletePod(t, e.client, p1)
	if err := e.svc.Release(t.Context(), delReq(p1)); err != nil {
		t.Fatal(err)
	}
	recreatePool(t, e, newPool("a", "10.2.0.0/24", []string{"10.2.0.10-10.2.0.20"}, withPoolUID("uid-pool-2")))
	if diff := cmp.Diff([]string{"eth0:a=10.2.0.10/24"}, allocateAll(t, e, p2)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"10.2.0.10": "uid-p2"}, records(t, e.client, "a")); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

// twoPoolEnv is a pod whose IPv4 candidates are pool a, then pool b (the
// alternate pool).
func twoPoolEnv(t *testing.T) (*env, *corev1.Pod) {
	t.Helper()
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["a","b"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod,
		newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}),
		newPool("b", "10.2.0.0/24", []string{"10.2.0.10-10.2.0.20"}))
	return e, pod
}

func checkRecords(t *testing.T, e *env, pool string, want map[string]string) {
	t.Helper()
	if diff := cmp.Diff(want, records(t, e.client, pool)); diff != "" {
		t.Errorf("pool %s records (-want +got):\n%s", pool, diff)
	}
}

// TestAmbiguousWriteThatLanded (review #7): the status write is committed
// but answered with a 500; the queue re-reads the pool, finds the landed
// record and returns it. No second address is taken, here or in the
// alternate pool.
func TestAmbiguousWriteThatLanded(t *testing.T) {
	e, pod := twoPoolEnv(t)
	e.store.FailAfterWrite(ipamtest.UpdatePoolStatus, apierrors.NewInternalError(errors.New("etcdserver: request timed out")))
	if diff := cmp.Diff([]string{"eth0:a=10.1.0.10/24"}, allocateAll(t, e, pod)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	checkRecords(t, e, "a", map[string]string{"10.1.0.10": "uid-p"})
	checkRecords(t, e, "b", map[string]string{})
	if n := e.store.Calls(ipamtest.UpdatePoolStatus); n != 1 {
		t.Errorf("%d status writes, want 1", n)
	}
}

// TestAmbiguousWriteThatDidNotLand: a 504 for a write that did not land;
// the retry, on a fresh read, takes the address normally.
func TestAmbiguousWriteThatDidNotLand(t *testing.T) {
	e, pod := twoPoolEnv(t)
	e.store.FailNext(ipamtest.UpdatePoolStatus, apierrors.NewTimeoutError("request did not complete", 0))
	if diff := cmp.Diff([]string{"eth0:a=10.1.0.10/24"}, allocateAll(t, e, pod)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	checkRecords(t, e, "a", map[string]string{"10.1.0.10": "uid-p"})
	checkRecords(t, e, "b", map[string]string{})
	if st := e.svc.Stats(); st.PoolWrites != 2 || st.PoolReads != 1 || st.PoolAmbiguousWrites != 1 {
		t.Errorf("writes %d, fresh reads %d, ambiguous %d; want 2, 1, 1", st.PoolWrites, st.PoolReads, st.PoolAmbiguousWrites)
	}
}

// TestAmbiguousWritesBounded: after maxRereads ambiguous answers in a row
// the pool's operations fail (and the alternate pool serves the slot).
func TestAmbiguousWritesBounded(t *testing.T) {
	e, pod := twoPoolEnv(t)
	errs := make([]error, 10)
	for i := range errs {
		errs[i] = apierrors.NewInternalError(errors.New("leader changed"))
	}
	e.store.FailNext(ipamtest.UpdatePoolStatus, errs...)
	_, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
	if err == nil {
		t.Fatal("allocated through ten 500s")
	}
	if n := e.store.Calls(ipamtest.UpdatePoolStatus); n != 3+3 {
		t.Errorf("%d status writes, want 3 per pool", n)
	}
	checkRecords(t, e, "a", map[string]string{})
}

// TestDefiniteWriteFailureNotRetried: a 403 did not land and will not on a
// retry: the pool fails at once and the alternate pool serves the slot.
func TestDefiniteWriteFailureNotRetried(t *testing.T) {
	e, pod := twoPoolEnv(t)
	e.store.FailNext(ipamtest.UpdatePoolStatus, apierrors.NewForbidden(
		schema.GroupResource{Group: "spiderpool.spidernet.io", Resource: "spiderippools"}, "a", errors.New("denied")))
	if diff := cmp.Diff([]string{"eth0:b=10.2.0.10/24"}, allocateAll(t, e, pod)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	checkRecords(t, e, "a", map[string]string{})
	if st := e.svc.Stats(); st.PoolWrites != 2 || st.PoolAmbiguousWrites != 0 {
		t.Errorf("writes %d, ambiguous %d; want 2, 0", st.PoolWrites, st.PoolAmbiguousWrites)
	}
}

// TestAmbiguousWriteResolvedForGoneCaller: the caller gives up while the
// write is in flight, and the write lands but is answered with a 500. The
// queue still learns the outcome and reports the address, so the ADD either
// records it in the endpoint or rolls it back: it never leaks.
func TestAmbiguousWriteResolvedForGoneCaller(t *testing.T) {
	e, pod := twoPoolEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	e.store.BeforeWrite = func(_ context.Context, m ipamtest.Method, _ client.Object) error {
		if m == ipamtest.UpdatePoolStatus {
			cancel()
		}
		return nil
	}
	e.store.FailAfterWrite(ipamtest.UpdatePoolStatus, apierrors.NewInternalError(errors.New("etcdserver: request timed out")))
	want := map[string]string{}
	if _, err := e.svc.Allocate(ctx, addReq(pod, "eth0")); err == nil {
		want["10.1.0.10"] = "uid-p"
		if ep := endpoint(t, e.client, "p"); len(ep.Status.Current.IPs) != 1 {
			t.Errorf("endpoint records %v, want 10.1.0.10", ep.Status.Current.IPs)
		}
	}
	checkRecords(t, e, "a", want)
	checkRecords(t, e, "b", map[string]string{})
}

// TestAmbiguousReleaseThatLanded: a release committed but answered with a
// 500 succeeds: the fresh read shows the record gone.
func TestAmbiguousReleaseThatLanded(t *testing.T) {
	e, pod := twoPoolEnv(t)
	allocateAll(t, e, pod)
	deletePod(t, e.client, pod)
	e.store.FailAfterWrite(ipamtest.UpdatePoolStatus, apierrors.NewInternalError(errors.New("etcdserver: leader changed")))
	if err := e.svc.Release(t.Context(), delReq(pod)); err != nil {
		t.Fatal(err)
	}
	checkRecords(t, e, "a", map[string]string{})
}

// TestThrottledWriteRetried: a 429 did not land; the write is retried after
// a back off, in the same pool.
func TestThrottledWriteRetried(t *testing.T) {
	e, pod := twoPoolEnv(t)
	e.store.FailNext(ipamtest.UpdatePoolStatus, apierrors.NewTooManyRequests("slow down", 0))
	if diff := cmp.Diff([]string{"eth0:a=10.1.0.10/24"}, allocateAll(t, e, pod)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	checkRecords(t, e, "b", map[string]string{})
}

// TestBadReservedIPSkipped (review #10): a SpiderReservedIP entry that does
// not parse (created without the webhook) is skipped with one log line
// naming the object; the other reservations still apply and IPv4 pools
// still allocate. An IPv4-mapped entry in an IPv4 list, which Spiderpool
// accepts, reserves its IPv4 address as in Spiderpool.
func TestBadReservedIPSkipped(t *testing.T) {
	pods, objs := podsWith(2, withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	bad := &spiderpoolv2beta1.SpiderReservedIP{ObjectMeta: metav1.ObjectMeta{Name: "migrated"},
		Spec: spiderpoolv2beta1.ReservedIPSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv4),
			IPs: []string{"::ffff:10.1.0.11", "10.1.0.300", "10.1.0.10"}}}
	e := newEnv(t, testConfig(), interceptor.Funcs{}, append(objs, newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))...)
	if err := e.client.Create(t.Context(), bad); err != nil { // after Restore, which would log it first
		t.Fatal(err)
	}
	var logged atomic.Int32
	ctx := logr.NewContext(t.Context(), funcr.New(func(_, args string) {
		if strings.Contains(args, "migrated") && strings.Contains(args, "10.1.0.300") {
			logged.Add(1)
		}
	}, funcr.Options{}))
	var got []string
	for _, pod := range pods {
		res, err := e.svc.Allocate(ctx, addReq(pod, "eth0"))
		if err != nil {
			t.Fatalf("pod %s: %v", pod.Name, err)
		}
		got = append(got, addrs(res)...)
	}
	if diff := cmp.Diff([]string{"eth0:a=10.1.0.12/24", "eth0:a=10.1.0.13/24"}, got); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	if n := logged.Load(); n != 1 {
		t.Errorf("%d log lines name the bad SpiderReservedIP, want 1", n)
	}
}

// TestReleaseFromPoolWithBadSpec (review #10): a pool whose spec no longer
// parses (edited without the webhook) still releases: a release needs only
// status.allocatedIPs. Allocations from it fail, naming the pool.
func TestReleaseFromPoolWithBadSpec(t *testing.T) {
	p1 := newPod("p1", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	p2 := newPod("p2", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, p1, p2, newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	allocateAll(t, e, p1)
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := e.client.Get(t.Context(), client.ObjectKey{Name: "a"}, pool); err != nil {
		t.Fatal(err)
	}
	pool.Spec.IPs = []string{"10.1.0.10-10.1.0.x"}
	if err := e.client.Update(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Allocate(t.Context(), addReq(p2, "eth0")); !errors.Is(err, ipam.ErrBadRecord) || !strings.Contains(err.Error(), "pool a") {
		t.Errorf("allocation from the broken pool: err = %v, want ErrBadRecord naming pool a", err)
	}
	deletePod(t, e.client, p1)
	if err := e.svc.Release(t.Context(), delReq(p1)); err != nil {
		t.Fatal(err)
	}
	checkRecords(t, e, "a", map[string]string{})
}
