// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/controller"
)

// fakeProjector is a ClaimProjector on a fake client (for the clock and for
// injected conflicts) with one empty pool named "p".
type fakeProjector struct {
	r             *controller.ClaimProjector
	c             client.Client
	now           time.Time
	statusWrites  atomic.Int32
	conflictsLeft atomic.Int32
	tooLargeLeft  atomic.Int32 // status writes left to refuse for their size
	tooLargeTries atomic.Int32
}

func newFakeProjector(t *testing.T) *fakeProjector {
	t.Helper()
	f := &fakeProjector{now: time.Unix(1000, 0)}
	pool := &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: "p"},
		Spec: spiderpoolv2beta1.IPPoolSpec{Subnet: "10.0.0.0/24", IPs: []string{"10.0.0.1-10.0.0.9"}}}
	f.c = fake.NewClientBuilder().WithScheme(apiServer.scheme).WithObjects(pool).
		WithStatusSubresource(&spiderpoolv2beta1.SpiderIPPool{}).
		WithIndex(&ipamclaimsv1alpha1.SpiderIPClaim{}, controller.ClaimPoolIndex, controller.IndexClaimPool).
		WithInterceptorFuncs(interceptor.Funcs{SubResourcePatch: f.patchStatus}).Build()
	f.r = &controller.ClaimProjector{Client: f.c, Interval: 300 * time.Millisecond, Now: func() time.Time { return f.now }}
	return f
}

// patchStatus counts status writes, and fails while conflicts, then
// refusals for size, are left.
func (f *fakeProjector) patchStatus(ctx context.Context, c client.Client, sub string, obj client.Object, p client.Patch, opts ...client.SubResourcePatchOption) error {
	if f.conflictsLeft.Add(-1) >= 0 {
		return apierrors.NewConflict(schema.GroupResource{Resource: "spiderippools"}, obj.GetName(), nil)
	}
	if f.tooLargeLeft.Add(-1) >= 0 {
		f.tooLargeTries.Add(1)
		// What the API server answers when etcd refuses the write.
		return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: 500, Message: "etcdserver: request is too large"}}
	}
	f.statusWrites.Add(1)
	return c.SubResource(sub).Patch(ctx, obj, p, opts...)
}

func (f *fakeProjector) reconcile(t *testing.T) reconcile.Result {
	t.Helper()
	res, err := f.r.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKey{Name: "p"}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fakeProjector) recordsAre(t *testing.T, ips ...string) {
	t.Helper()
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := f.c.Get(t.Context(), client.ObjectKey{Name: "p"}, pool); err != nil {
		t.Fatal(err)
	}
	if got, want := ptr.Deref(pool.Status.AllocatedIPs, ""), ptr.Deref(spiderpoolv2beta1.FormatAllocatedIPs(records(ips...)), ""); got != want {
		t.Errorf("records %s, want %s", got, want)
	}
}

// TestClaimProjectorBatches: a pool's status is written at most once per
// Interval; the claims created meanwhile go into the next write together.
func TestClaimProjectorBatches(t *testing.T) {
	f := newFakeProjector(t)
	for _, ip := range []string{"10.0.0.1"} {
		if err := f.c.Create(t.Context(), claimFor(t, "p", ip)); err != nil {
			t.Fatal(err)
		}
	}
	f.reconcile(t)
	f.recordsAre(t, "10.0.0.1")
	for _, ip := range []string{"10.0.0.2", "10.0.0.3"} {
		if err := f.c.Create(t.Context(), claimFor(t, "p", ip)); err != nil {
			t.Fatal(err)
		}
	}
	f.now = f.now.Add(100 * time.Millisecond)
	if res := f.reconcile(t); res.RequeueAfter != 200*time.Millisecond {
		t.Errorf("reconcile 100 ms after a write: %+v, want RequeueAfter 200ms", res)
	}
	f.recordsAre(t, "10.0.0.1")
	f.now = f.now.Add(200 * time.Millisecond)
	f.reconcile(t)
	f.recordsAre(t, "10.0.0.1", "10.0.0.2", "10.0.0.3")
	if n := f.statusWrites.Load(); n != 2 {
		t.Errorf("%d status writes, want 2", n)
	}
}

// TestClaimProjectorConflictRequeues: a conflicting status write is tried
// again after Interval, without an error.
func TestClaimProjectorConflictRequeues(t *testing.T) {
	f := newFakeProjector(t)
	if err := f.c.Create(t.Context(), claimFor(t, "p", "10.0.0.1")); err != nil {
		t.Fatal(err)
	}
	f.conflictsLeft.Store(1)
	if res := f.reconcile(t); res.RequeueAfter != 300*time.Millisecond {
		t.Errorf("reconcile after a conflict: %+v, want RequeueAfter 300ms", res)
	}
	f.recordsAre(t)
	f.reconcile(t)
	f.recordsAre(t, "10.0.0.1")
}

// TestClaimProjectorOwnWriteBeforeItsDigest: a cache may show the pool
// between the projector's status write and its digest annotation. The
// managedFields name the projector as the writer of those records, so a
// record whose claim was deleted since is a release and is dropped; it is
// not adopted as if someone else had written it (which would re-create the
// released claim for a pod that is gone).
func TestClaimProjectorOwnWriteBeforeItsDigest(t *testing.T) {
	f := newFakeProjector(t)
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := f.c.Get(t.Context(), client.ObjectKey{Name: "p"}, pool); err != nil {
		t.Fatal(err)
	}
	pool.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(records("10.0.0.1", "10.0.0.2"))
	pool.Status.AllocatedIPCount = ptr.To(int64(2))
	if err := f.c.Status().Update(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	pool.Annotations = map[string]string{ipamclaimsv1alpha1.AnnoProjectedDigest: "sha256:of-the-status-before",
		ipamclaimsv1alpha1.AnnoStorage: ipamclaimsv1alpha1.StorageClaims} // handed over at its first projection
	if err := f.c.Update(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	// The fake client keeps no managedFields: the projector's reads get
	// those the API server would record.
	projected := []metav1.ManagedFieldsEntry{{Manager: ipamclaimsv1alpha1.ProjectorFieldManager,
		Operation: metav1.ManagedFieldsOperationUpdate, Subresource: "status", FieldsType: "FieldsV1",
		FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:status":{"f:allocatedIPCount":{},"f:allocatedIPs":{}}}`)}}}
	f.r.Client = interceptor.NewClient(f.c.(client.WithWatch), interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			err := c.Get(ctx, key, obj, opts...)
			if p, ok := obj.(*spiderpoolv2beta1.SpiderIPPool); ok {
				p.ManagedFields = projected
			}
			return err
		},
	})
	if err := f.c.Create(t.Context(), claimFor(t, "p", "10.0.0.2")); err != nil {
		t.Fatal(err)
	}
	f.reconcile(t)
	f.recordsAre(t, "10.0.0.2")
	var list ipamclaimsv1alpha1.SpiderIPClaimList
	if err := f.c.List(t.Context(), &list); err != nil || len(list.Items) != 1 {
		t.Errorf("claims after the projection: %d (%v); want only the one of 10.0.0.2 (the released one not adopted back)", len(list.Items), err)
	}
}

// TestClaimProjectorReusesItsWrite: a projection that reads back the pool
// version its own status write returned takes the records it wrote rather
// than parsing the status again; any other version is parsed.
func TestClaimProjectorReusesItsWrite(t *testing.T) {
	f := newFakeProjector(t)
	if err := f.c.Create(t.Context(), claimFor(t, "p", "10.0.0.1")); err != nil {
		t.Fatal(err)
	}
	f.reconcile(t)
	f.recordsAre(t, "10.0.0.1")
	// Reads now show the version written with a status that does not
	// parse: only the remembered records can make the projection pass.
	garbled := func(p *spiderpoolv2beta1.SpiderIPPool) { p.Status.AllocatedIPs = ptr.To("not JSON") }
	f.r.Client = interceptor.NewClient(f.c.(client.WithWatch), interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			err := c.Get(ctx, key, obj, opts...)
			if p, ok := obj.(*spiderpoolv2beta1.SpiderIPPool); ok {
				garbled(p)
			}
			return err
		},
	})
	f.now = f.now.Add(time.Second)
	if _, err := f.r.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKey{Name: "p"}}); err != nil {
		t.Errorf("projection of the version it wrote: %v; want the records it wrote, not a parse", err)
	}
	garbled = func(p *spiderpoolv2beta1.SpiderIPPool) {
		p.Status.AllocatedIPs, p.ResourceVersion = ptr.To("not JSON"), p.ResourceVersion+"0"
	}
	f.now = f.now.Add(time.Second)
	if _, err := f.r.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKey{Name: "p"}}); err == nil {
		t.Error("projection of another version with a status that does not parse succeeded; want it parsed and refused")
	}
}

// TestClaimProjectorHoldsOffATooLargeStatus: a status write the API server
// refuses for its size (etcd's "request is too large") is reported by a
// Warning event on the pool that names the setting to lower, without an
// error; no write of the pool is tried again before TooLargeRetry, however
// many claims change meanwhile, and then the projection goes on.
func TestClaimProjectorHoldsOffATooLargeStatus(t *testing.T) {
	f := newFakeProjector(t)
	events := record.NewFakeRecorder(10)
	f.r.Recorder, f.r.TooLargeRetry = events, time.Minute
	f.tooLargeLeft.Store(1)
	if err := f.c.Create(t.Context(), claimFor(t, "p", "10.0.0.1")); err != nil {
		t.Fatal(err)
	}
	if res := f.reconcile(t); res.RequeueAfter != time.Minute {
		t.Errorf("reconcile of a refused status: %+v, want RequeueAfter 1m", res)
	}
	select {
	case e := <-events.Events:
		for _, want := range []string{"Warning", controller.ReasonProjectionTooLarge, "SpiderIPPool p would hold 1 records",
			"etcdserver: request is too large", "SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS"} {
			if !strings.Contains(e, want) {
				t.Errorf("event %q does not say %q", e, want)
			}
		}
	default:
		t.Error("no event for the refused status")
	}
	if err := f.c.Create(t.Context(), claimFor(t, "p", "10.0.0.2")); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(10 * time.Second)
	if res := f.reconcile(t); res.RequeueAfter != 50*time.Second {
		t.Errorf("reconcile 10 s after the refusal: %+v, want RequeueAfter 50s", res)
	}
	if n := f.statusWrites.Load() + f.tooLargeTries.Load(); n != 1 {
		t.Errorf("%d status writes tried, want only the refused one", n)
	}
	f.now = f.now.Add(50 * time.Second)
	if res := f.reconcile(t); res.RequeueAfter != 0 {
		t.Errorf("reconcile after the hold-off: %+v, want done", res)
	}
	f.recordsAre(t, "10.0.0.1", "10.0.0.2")
	f.now = f.now.Add(time.Second)
	if res := f.reconcile(t); res.RequeueAfter != 0 {
		t.Errorf("reconcile after a write that fit: %+v, want no hold-off left", res)
	}
}
