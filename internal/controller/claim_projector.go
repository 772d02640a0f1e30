// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// RBAC of the claim projector (SPIDERPOOL_CLAIM_STORAGE). It reads and
// patches pools and their status (granted in rbac.go), reads endpoints
// (granted for the GC) and creates claims for the records it adopts.
//
// +kubebuilder:rbac:groups=ipam.spiderpool-go.io,resources=spideripclaims,verbs=get;list;watch;create

// DefaultClaimProjectionInterval is the shortest time between two status
// writes of one pool by the claim projector: the claims created or deleted
// meanwhile are written together.
const DefaultClaimProjectionInterval = 300 * time.Millisecond

// DefaultProjectionTooLargeRetry is how long the claim projector waits
// before it writes again the status of a pool whose projection the API
// server refused as too large (ReasonProjectionTooLarge).
const DefaultProjectionTooLargeRetry = time.Minute

// ReasonProjectionTooLarge is the reason of the Warning event on a pool
// whose projected status the API server refused as too large.
const ReasonProjectionTooLarge = "ProjectionTooLarge"

// ClaimPoolIndex is the cache index of claims by spec.pool that the claim
// projector registers and lists by.
const ClaimPoolIndex = "spec.pool"

// ClaimProjector writes each SpiderIPPool's status.allocatedIPs and
// allocatedIPCount from the pool's SpiderIPClaims, in Spiderpool's format
// (docs/ipam.md, "The storage we choose next"). It is keyed by pool and is
// the only writer of the records of a pool while the claim storage is on;
// records someone else wrote are adopted (a claim is created for each) before
// they are projected again (internal/claims.Project).
type ClaimProjector struct {
	// Client reads pools, claims and endpoints from the cache and writes.
	Client client.Client
	// Interval is the shortest time between two status writes of one pool
	// (DefaultClaimProjectionInterval if 0).
	Interval time.Duration
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// Recorder receives the ProjectionTooLarge events (none if nil).
	Recorder record.EventRecorder
	// TooLargeRetry is the wait after a status the API server refused as
	// too large (DefaultProjectionTooLargeRetry if 0).
	TooLargeRetry time.Duration

	mu        sync.Mutex
	lastWrite map[string]time.Time     // pool → time of the last status write
	written   map[string]writtenStatus // pool → the status of that write
	holdOff   map[string]time.Time     // pool → no write before then (status too large)
}

// writtenStatus is the status a projection wrote, as the version of the
// pool the API server answered with: a projection that reads that version
// back takes its records from here rather than parsing them again (1.3 MB
// of JSON per pass at 20,000 records).
type writtenStatus struct {
	uid             types.UID
	resourceVersion string
	records         spiderpoolv2beta1.PoolIPAllocations
}

// SetupClaimProjector registers a ClaimProjector with mgr when
// SPIDERPOOL_CLAIM_STORAGE is on, and returns it; with the switch off it
// registers nothing and returns nil.
func SetupClaimProjector(mgr ctrl.Manager, opts Options) (*ClaimProjector, error) {
	if !opts.Env.ClaimStorage {
		return nil, nil
	}
	r := &ClaimProjector{Client: mgr.GetClient(), Recorder: mgr.GetEventRecorderFor("spiderpool-controller")}
	if err := r.SetupWithManager(mgr, opts.Env.IPPoolInformerWorkers); err != nil {
		return nil, err
	}
	return r, nil
}

// SetupWithManager registers the reconciler, leader only, with workers
// concurrent reconciles. It watches pools, and claims mapped to their pool
// (spec.pool, which holds the real name even where the pool label holds a
// hash).
func (r *ClaimProjector) SetupWithManager(mgr ctrl.Manager, workers int) error {
	// Registered before the manager starts: no running context exists yet,
	// and the call does not block on it.
	err := mgr.GetFieldIndexer().IndexField(context.Background(), &ipamclaimsv1alpha1.SpiderIPClaim{}, ClaimPoolIndex, IndexClaimPool)
	if err != nil {
		return fmt.Errorf("claim projector: index claims by pool: %w", err)
	}
	err = ctrl.NewControllerManagedBy(mgr).
		Named("claimprojector").
		For(&spiderpoolv2beta1.SpiderIPPool{}).
		Watches(&ipamclaimsv1alpha1.SpiderIPClaim{}, handler.EnqueueRequestsFromMapFunc(claimToPool)).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(workers, 1)}).
		Complete(r)
	if err != nil {
		return fmt.Errorf("set up claim projector: %w", err)
	}
	return nil
}

// IndexClaimPool is the ClaimPoolIndex function: a claim's spec.pool.
func IndexClaimPool(o client.Object) []string {
	if c, ok := o.(*ipamclaimsv1alpha1.SpiderIPClaim); ok {
		return []string{c.Spec.Pool}
	}
	return nil
}

// claimToPool maps a claim to its pool.
func claimToPool(_ context.Context, o client.Object) []reconcile.Request {
	c, ok := o.(*ipamclaimsv1alpha1.SpiderIPClaim)
	if !ok || c.Spec.Pool == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Name: c.Spec.Pool}}}
}

// Reconcile implements reconcile.Reconciler: it projects one pool's claims.
func (r *ClaimProjector) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	if wait := r.untilNextWrite(req.Name); wait > 0 {
		return reconcile.Result{RequeueAfter: wait}, nil
	}
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := r.Client.Get(ctx, req.NamespacedName, pool); err != nil {
		if apierrors.IsNotFound(err) {
			r.forget(req.Name)
		}
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if !claims.Kept(pool) {
		if err := r.keep(ctx, pool); err != nil {
			if apierrors.IsConflict(err) {
				return reconcile.Result{RequeueAfter: r.interval()}, nil
			}
			return reconcile.Result{}, err
		}
	}
	proj, err := r.project(ctx, pool)
	if err != nil {
		return reconcile.Result{}, err
	}
	if len(proj.Adopt) > 0 {
		// Project again once the cache holds the new claims: until then the
		// records stay as they are.
		if err := r.adopt(ctx, pool.Name, proj.Adopt); err != nil {
			return reconcile.Result{}, err
		}
		return reconcile.Result{RequeueAfter: r.interval()}, nil
	}
	if err := r.write(ctx, pool, proj); err != nil {
		switch {
		case apierrors.IsConflict(err):
			return reconcile.Result{RequeueAfter: r.interval()}, nil
		case store.TooLarge(err):
			return reconcile.Result{RequeueAfter: r.refused(ctx, pool, proj.Count(), err)}, nil
		}
		return reconcile.Result{}, err
	}
	return reconcile.Result{}, nil
}

// refused reports a projection of pool that the API server refused as too
// large, in the log and as a Warning event on the pool, and holds the
// pool's next write off for TooLargeRetry, which it returns: claims created
// or deleted meanwhile would each bring another write of the same size.
// The claims keep every allocation; only the status lags.
func (r *ClaimProjector) refused(ctx context.Context, pool *spiderpoolv2beta1.SpiderIPPool, count int64, err error) time.Duration {
	wait := r.TooLargeRetry
	if wait <= 0 {
		wait = DefaultProjectionTooLargeRetry
	}
	r.mu.Lock()
	if r.holdOff == nil {
		r.holdOff = map[string]time.Time{}
	}
	r.holdOff[pool.Name] = r.now().Add(wait)
	r.mu.Unlock()
	why := err.Error()
	var st apierrors.APIStatus
	if errors.As(err, &st) {
		why = st.Status().Message
	}
	msg := fmt.Sprintf("status.allocatedIPs of SpiderIPPool %s would hold %d records, more than the API server stores (%s); "+
		"every allocation is kept by its SpiderIPClaim and allocation goes on, but the pool's status stays at its last projection "+
		"(tried again every %s): %s", pool.Name, count, why, wait, store.TooLargeFix)
	logr.FromContextOrDiscard(ctx).Info("projection refused as too large", "pool", pool.Name, "records", count, "error", err.Error())
	if r.Recorder != nil {
		r.Recorder.Event(pool, corev1.EventTypeWarning, ReasonProjectionTooLarge, msg)
	}
	return wait
}

// interval is Interval or its default.
func (r *ClaimProjector) interval() time.Duration {
	if r.Interval > 0 {
		return r.Interval
	}
	return DefaultClaimProjectionInterval
}

// now is Now or time.Now.
func (r *ClaimProjector) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// untilNextWrite returns how long pool must wait before its next status
// write, 0 if it may write now.
func (r *ClaimProjector) untilNextWrite(pool string) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	wait := r.holdOff[pool].Sub(r.now())
	if last, ok := r.lastWrite[pool]; ok {
		wait = max(wait, r.interval()-r.now().Sub(last))
	}
	return max(wait, 0)
}

// wrote notes a status write of pool.
func (r *ClaimProjector) wrote(pool string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lastWrite == nil {
		r.lastWrite = map[string]time.Time{}
	}
	r.lastWrite[pool] = r.now()
	delete(r.holdOff, pool) // it fits again
}

// forget drops what is known of a deleted pool.
func (r *ClaimProjector) forget(pool string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.lastWrite, pool)
	delete(r.written, pool)
	delete(r.holdOff, pool)
}

// remember keeps the records of the status just written into pool, as of
// the version the write returned. The records are not changed afterwards.
func (r *ClaimProjector) remember(pool *spiderpoolv2beta1.SpiderIPPool, records spiderpoolv2beta1.PoolIPAllocations) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.written == nil {
		r.written = map[string]writtenStatus{}
	}
	r.written[pool.Name] = writtenStatus{uid: pool.UID, resourceVersion: pool.ResourceVersion, records: records}
}

// records returns the records of pool's status: those the projector wrote
// when pool is the version its write returned, parsed otherwise. The
// result is read only.
func (r *ClaimProjector) records(pool *spiderpoolv2beta1.SpiderIPPool) (spiderpoolv2beta1.PoolIPAllocations, error) {
	r.mu.Lock()
	w, ok := r.written[pool.Name]
	r.mu.Unlock()
	if ok && w.uid == pool.UID && w.resourceVersion == pool.ResourceVersion {
		return w.records, nil
	}
	recs, err := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
	if err != nil {
		return nil, fmt.Errorf("SpiderIPPool %s: %w", pool.Name, err)
	}
	return recs, nil
}
