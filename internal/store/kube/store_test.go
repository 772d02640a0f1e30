// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package kube_test

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/internal/store"
	"github.com/spiderpool-go/spiderpool/internal/store/kube"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

func TestUpdatePoolStatusOptimisticLock(t *testing.T) {
	c := apiServer.client
	pool := &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: "store-pool"},
		Spec:       spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: "10.99.0.0/24", IPs: []string{"10.99.0.10"}},
	}
	if err := c.Create(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	st := kube.New(c)
	stale := pool.DeepCopy()
	recs := spiderpoolv2beta1.PoolIPAllocations{"10.99.0.10": spiderpoolv2beta1.NewPoolIPAllocation("ns", "p", "uid-1")}
	pool.Status.AllocatedIPs, pool.Status.AllocatedIPCount = spiderpoolv2beta1.FormatAllocatedIPs(recs), ptr.To[int64](1)
	if err := st.UpdatePoolStatus(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	if pool.ResourceVersion == stale.ResourceVersion {
		t.Error("resourceVersion not refreshed after the write")
	}
	stale.Status.AllocatedIPCount = ptr.To[int64](7)
	err := st.UpdatePoolStatus(t.Context(), stale)
	if !errors.Is(err, store.ErrConflict) || !apierrors.IsConflict(err) {
		t.Fatalf("stale write: err = %v, want ErrConflict wrapping a 409", err)
	}
	got := &spiderpoolv2beta1.SpiderIPPool{}
	if err := c.Get(t.Context(), client.ObjectKeyFromObject(pool), got); err != nil {
		t.Fatal(err)
	}
	if *got.Status.AllocatedIPCount != 1 {
		t.Errorf("allocatedIPCount = %d, want 1 (the stale write must not land)", *got.Status.AllocatedIPCount)
	}
}

func newEndpoint(name string) *spiderpoolv2beta1.SpiderEndpoint {
	return &spiderpoolv2beta1.SpiderEndpoint{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, Finalizers: []string{spiderpoolv2beta1.SpiderFinalizer}},
		Status: spiderpoolv2beta1.WorkloadEndpointStatus{
			Current:             spiderpoolv2beta1.PodIPAllocation{UID: "uid-" + name, Node: "n1", IPs: []spiderpoolv2beta1.IPAllocationDetail{{NIC: "eth0"}}},
			OwnerControllerType: "Pod", OwnerControllerName: name,
		},
	}
}

func TestEndpointWrites(t *testing.T) {
	c := apiServer.client
	st := kube.New(c)
	ep := newEndpoint("store-ep")
	if err := st.CreateEndpoint(t.Context(), ep); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateEndpoint(t.Context(), newEndpoint("store-ep")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second create: err = %v, want ErrConflict", err)
	}
	stale := ep.DeepCopy()
	ep.Status.Current.Node = "n2"
	if err := st.UpdateEndpoint(t.Context(), ep); err != nil {
		t.Fatal(err)
	}
	if err := st.UpdateEndpoint(t.Context(), stale.DeepCopy()); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale update: err = %v, want ErrConflict", err)
	}
	if err := st.RemoveEndpointFinalizer(t.Context(), stale.DeepCopy()); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale finalizer removal: err = %v, want ErrConflict", err)
	}
	wrongUID := ep.DeepCopy()
	wrongUID.UID = "not-the-uid"
	if err := st.DeleteEndpoint(t.Context(), wrongUID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("delete with another UID: err = %v, want ErrConflict", err)
	}
	cur := ep.DeepCopy()
	if err := st.RemoveEndpointFinalizer(t.Context(), cur); err != nil {
		t.Fatal(err)
	}
	if cur.ResourceVersion == ep.ResourceVersion {
		t.Errorf("the finalizer patch left resourceVersion %s: a delete conditional on it cannot follow", cur.ResourceVersion)
	}
	// A delete carries the resourceVersion the finalizer patch returned: an
	// endpoint changed since (a successor adopted it) is never deleted.
	if err := st.DeleteEndpoint(t.Context(), ep); !errors.Is(err, store.ErrConflict) {
		t.Errorf("delete with the resourceVersion before the patch: err = %v, want ErrConflict", err)
	}
	if err := st.DeleteEndpoint(t.Context(), cur); err != nil {
		t.Fatal(err)
	}
	err := c.Get(t.Context(), client.ObjectKeyFromObject(ep), &spiderpoolv2beta1.SpiderEndpoint{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("endpoint still there: %v", err)
	}
	if err := st.DeleteEndpoint(t.Context(), ep); err != nil {
		t.Errorf("deleting a gone endpoint: %v", err)
	}
	if err := st.RemoveEndpointFinalizer(t.Context(), ep); err != nil {
		t.Errorf("finalizer of a gone endpoint: %v", err)
	}
}

// TestUpdatePoolStatusTooLarge: on an API server whose etcd stores at most
// 64 KiB per request, a status of 1,000 records is refused; the error is
// definite (not store.Ambiguous: nothing was stored, and the same write
// would fail again) and names the setting to lower.
func TestUpdatePoolStatusTooLarge(t *testing.T) {
	cfg := utils.StartEnvtestWithEtcdLimit(t, ipamtest.Scheme(), 64<<10)
	c, err := client.New(cfg, client.Options{Scheme: ipamtest.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	pool := &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: "big"},
		Spec:       spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: "10.98.0.0/16", IPs: []string{"10.98.0.1-10.98.3.250"}},
	}
	if err := c.Create(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	recs := spiderpoolv2beta1.PoolIPAllocations{}
	for a := netip.MustParseAddr("10.98.0.1"); len(recs) < 1000; a = a.Next() {
		recs[a.String()] = spiderpoolv2beta1.NewPoolIPAllocation("ns", "pod-"+a.String(), "00000000-0000-0000-0000-"+fmt.Sprintf("%012d", len(recs)))
	}
	pool.Status.AllocatedIPs, pool.Status.AllocatedIPCount = spiderpoolv2beta1.FormatAllocatedIPs(recs), ptr.To[int64](1000)
	err = kube.New(c).UpdatePoolStatus(t.Context(), pool)
	if err == nil || store.Ambiguous(err) || !store.TooLarge(err) ||
		!strings.Contains(err.Error(), "1000 records") || !strings.Contains(err.Error(), "SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS") {
		t.Errorf("write of 1,000 records: %v; want a definite refusal for size naming the count and SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS", err)
	}
}
