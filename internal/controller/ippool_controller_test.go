// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/controller"
)

// direct returns a reconciler reading and writing the API server directly.
func direct() *controller.IPPoolReconciler {
	return &controller.IPPoolReconciler{Client: apiServer.client, APIReader: apiServer.client}
}

// reconcilePool runs one reconcile of the pool name.
func reconcilePool(t *testing.T, r *controller.IPPoolReconciler, name string) {
	t.Helper()
	if _, err := r.Reconcile(t.Context(), reconcile.Request{NamespacedName: types.NamespacedName{Name: name}}); err != nil {
		t.Fatalf("Reconcile(%s): %v", name, err)
	}
}

func records(ips ...string) spiderpoolv2beta1.PoolIPAllocations {
	out := spiderpoolv2beta1.PoolIPAllocations{}
	for _, ip := range ips {
		out[ip] = spiderpoolv2beta1.NewPoolIPAllocation("default", "pod-"+ip, "uid-"+ip)
	}
	return out
}

func TestIPPoolCountsFollowSpecAndRecords(t *testing.T) {
	name := poolName(t)
	r := direct()
	createPool(t, name, spiderpoolv2beta1.IPPoolSpec{Subnet: "10.6.0.0/16", IPs: []string{"10.6.0.1-10.6.0.10"}, ExcludeIPs: []string{"10.6.0.1"}}, false)
	reconcilePool(t, r, name)
	if err := poolCountsAre(t, name, 9, 0); err != nil {
		t.Fatal(err) // allocatedIPCount initialised to 0
	}

	updateSpec(t, name, func(s *spiderpoolv2beta1.IPPoolSpec) {
		s.IPs = append(s.IPs, "10.6.1.0-10.6.1.255")
		s.ExcludeIPs = append(s.ExcludeIPs, "10.6.1.0", "10.6.1.255")
	})
	reconcilePool(t, r, name)
	if err := poolCountsAre(t, name, 9+254, 0); err != nil {
		t.Fatal(err)
	}

	// An agent records two IPs and writes a wrong count: the count is
	// recomputed from the records, which are left as the agent wrote them.
	stored := agentWrites(t, name, records("10.6.0.2", "10.6.0.3"), 7)
	reconcilePool(t, r, name)
	if err := poolCountsAre(t, name, 263, 2); err != nil {
		t.Fatal(err)
	}
	pool := getPool(t, name)
	if diff := cmp.Diff(stored, pool.Status.AllocatedIPs); diff != "" {
		t.Errorf("allocatedIPs changed (-agent +now):\n%s", diff)
	}

	// Nothing to fix: nothing is written.
	reconcilePool(t, r, name)
	if again := getPool(t, name); again.ResourceVersion != pool.ResourceVersion {
		t.Errorf("an idempotent reconcile wrote the pool (resourceVersion %s -> %s)", pool.ResourceVersion, again.ResourceVersion)
	}
}

// staleReader serves the cached view of one object: the snapshot it was
// given, whatever the API server now holds.
func staleReader(snapshot *spiderpoolv2beta1.SpiderIPPool) client.Client {
	return interceptor.NewClient(apiServer.client, interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			if p, ok := obj.(*spiderpoolv2beta1.SpiderIPPool); ok && key.Name == snapshot.Name {
				snapshot.DeepCopyInto(p)
				return nil
			}
			return c.Get(ctx, key, obj, opts...)
		},
	})
}

func TestIPPoolCountsNeverClobberRecords(t *testing.T) {
	name := poolName(t)
	createPool(t, name, spiderpoolv2beta1.IPPoolSpec{Subnet: "10.6.0.0/16", IPs: []string{"10.6.2.1-10.6.2.4"}}, false)
	snapshot := getPool(t, name) // no records, no counts
	// An agent allocates after the cache took its snapshot.
	stored := agentWrites(t, name, records("10.6.2.1"), 1)
	r := &controller.IPPoolReconciler{Client: staleReader(snapshot), APIReader: apiServer.client}
	reconcilePool(t, r, name)
	pool := getPool(t, name)
	if err := poolCountsAre(t, name, 4, 1); err != nil {
		t.Error(err)
	}
	if diff := cmp.Diff(stored, pool.Status.AllocatedIPs); diff != "" {
		t.Errorf("a stale read overwrote allocatedIPs (-agent +now):\n%s", diff)
	}
}

func TestIPPoolFinalizerWaitsForRecords(t *testing.T) {
	name := poolName(t)
	r := direct()
	createPool(t, name, spiderpoolv2beta1.IPPoolSpec{Subnet: "10.6.0.0/16", IPs: []string{"10.6.3.1-10.6.3.4"}}, true)
	agentWrites(t, name, records("10.6.3.1", "10.6.3.2"), 2)
	if err := apiServer.client.Delete(t.Context(), getPool(t, name)); err != nil {
		t.Fatal(err)
	}
	reconcilePool(t, r, name)
	pool := getPool(t, name)
	if pool.DeletionTimestamp.IsZero() || !cmp.Equal(pool.Finalizers, []string{spiderpoolv2beta1.SpiderFinalizer}) {
		t.Fatalf("want the deleting pool to keep its finalizer, got deletionTimestamp %v finalizers %v", pool.DeletionTimestamp, pool.Finalizers)
	}
	if err := poolCountsAre(t, name, 4, 2); err != nil {
		t.Error(err) // counts are still kept while deleting
	}

	// The cache says the records are gone, but one is still held: the
	// finalizer stays, because the pool is re-read before it goes.
	snapshot := getPool(t, name)
	agentWrites(t, name, records("10.6.3.2"), 1)
	gone := snapshot.DeepCopy()
	gone.Status.AllocatedIPs, gone.Status.AllocatedIPCount = nil, new(int64)
	reconcilePool(t, &controller.IPPoolReconciler{Client: staleReader(gone), APIReader: apiServer.client}, name)
	if err := poolGone(t, name); err == nil {
		t.Fatal("the finalizer was removed on a stale read while an IP was held")
	}

	// The last record released: the finalizer goes, and so does the pool.
	agentWrites(t, name, nil, 0)
	reconcilePool(t, r, name)
	if err := poolGone(t, name); err != nil {
		t.Fatal(err)
	}
	reconcilePool(t, r, name) // a pool that is gone is no error
}

func TestIPPoolFinalizerOfOthersKept(t *testing.T) {
	name := poolName(t)
	pool := createPool(t, name, spiderpoolv2beta1.IPPoolSpec{Subnet: "10.6.0.0/16"}, true)
	pool.Finalizers = append(pool.Finalizers, "example.com/other")
	if err := apiServer.client.Update(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	if err := apiServer.client.Delete(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	reconcilePool(t, direct(), name)
	if got := getPool(t, name).Finalizers; !cmp.Equal(got, []string{"example.com/other"}) {
		t.Errorf("finalizers = %v, want only the other one", got)
	}
	pool = getPool(t, name)
	pool.Finalizers = nil
	if err := apiServer.client.Update(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
}

func TestIPPoolBadSpecIsTerminal(t *testing.T) {
	name := poolName(t)
	createPool(t, name, spiderpoolv2beta1.IPPoolSpec{Subnet: "10.6.0.0/16", IPs: []string{"10.6.0.9-10.6.0.1"}}, false)
	_, err := direct().Reconcile(t.Context(), reconcile.Request{NamespacedName: types.NamespacedName{Name: name}})
	if !errors.Is(err, reconcile.TerminalError(nil)) {
		t.Fatalf("Reconcile() error = %v, want a terminal error", err)
	}
}
