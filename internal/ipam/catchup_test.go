// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
)

// TestCatchUpFromCacheAvoidsConflict: another agent wrote the pool since
// this agent's last read; the newer version is in the cache, so this
// agent's write is built on it and succeeds first time, with no read of
// the API server.
func TestCatchUpFromCacheAvoidsConflict(t *testing.T) {
	p1 := newPod("p1", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	p2 := newPod("p2", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, p1, p2, newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	other, err := ipam.New(testConfig(), ipam.Deps{Cache: e.client, API: e.client, Store: e.store})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	allocateAll(t, e, p1) // e's agent writes; other's state is now behind
	if _, err := other.Allocate(t.Context(), addReq(p2, "eth0")); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"10.1.0.10": "uid-p1", "10.1.0.11": "uid-p2"}
	if diff := cmp.Diff(want, records(t, e.client, "a")); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	st := other.Stats()
	if st.PoolConflicts != 0 || st.PoolReads != 0 || st.PoolCacheLoads != 1 {
		t.Errorf("conflicts %d, fresh reads %d, cache loads %d; want 0, 0, 1", st.PoolConflicts, st.PoolReads, st.PoolCacheLoads)
	}
}

// TestConflictReloadsFromCache: a write loses the race; the winner's
// version is already in the cache, so the retry is built on it without a
// read of the API server.
func TestConflictReloadsFromCache(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	var once sync.Once
	e.store.BeforeWrite = func(ctx context.Context, m ipamtest.Method, _ client.Object) error {
		var err error
		if m == ipamtest.UpdatePoolStatus {
			once.Do(func() { err = takeAddress(ctx, e.client, "a", "10.1.0.10", "other/agent", "uid-other") })
		}
		return err
	}
	if diff := cmp.Diff([]string{"eth0:a=10.1.0.11/24"}, allocateAll(t, e, pod)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	st := e.svc.Stats()
	if st.PoolConflicts != 1 || st.PoolReads != 0 || st.PoolCacheLoads != 1 {
		t.Errorf("conflicts %d, fresh reads %d, cache loads %d; want 1, 0, 1", st.PoolConflicts, st.PoolReads, st.PoolCacheLoads)
	}
}

// TestLaggingCacheFallsBackToRead: when the cache has not caught up with the
// version that conflicted, the retry reads the API server.
func TestLaggingCacheFallsBackToRead(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	// A cache frozen at the pool's first version.
	frozen := ipamtest.NewClient(interceptor.Funcs{},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNS, Labels: map[string]string{"team": "a"}}},
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: testNode, Labels: map[string]string{"zone": "z1"}}},
		pod.DeepCopy(), newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	svc, err := ipam.New(testConfig(), ipam.Deps{Cache: frozen, API: e.client, Store: e.store})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := takeAddress(t.Context(), e.client, "a", "10.1.0.10", "other/agent", "uid-other"); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Allocate(t.Context(), addReq(pod, "eth0"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"eth0:a=10.1.0.11/24"}, addrs(res)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	st := svc.Stats()
	if st.PoolConflicts != 1 || st.PoolReads != 1 || st.PoolCacheLoads != 0 {
		t.Errorf("conflicts %d, fresh reads %d, cache loads %d; want 1, 1, 0", st.PoolConflicts, st.PoolReads, st.PoolCacheLoads)
	}
}
