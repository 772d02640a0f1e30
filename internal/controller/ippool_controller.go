// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// IPPoolReconciler keeps a SpiderIPPool's totalIPCount and allocatedIPCount
// true to its spec and its records, and removes its finalizer once it is
// being deleted and holds no IP (docs/reference/behaviour.md §4.7, §9.2). It
// runs on the leader only.
//
// The agents write the same status (status.allocatedIPs and
// allocatedIPCount) with optimistic concurrency, so every write here is a
// merge patch of the two counts only, computed from one read of the pool
// and carrying that read's resourceVersion: a pool changed in between makes
// the patch fail with a conflict, and the pool is read again. The records
// themselves are never written.
type IPPoolReconciler struct {
	// Client reads from the cache and writes to the API server.
	Client client.Client
	// APIReader reads from the API server, for the re-read after a conflict
	// and before removing the finalizer.
	APIReader client.Reader
	// Apps, when set (enableSpiderSubnet and enableAutoPoolForApplication),
	// lets the reconciler delete the empty auto-created pools of deleted
	// applications.
	Apps *AppChecker
	// Resync is how often an empty auto-created pool of a third-party
	// application is looked at again (SPIDERPOOL_IPPOOL_INFORMER_RESYNC_PERIOD).
	Resync time.Duration
}

// Reconcile implements reconcile.Reconciler.
func (r *IPPoolReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := r.Client.Get(ctx, req.NamespacedName, pool); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if !pool.DeletionTimestamp.IsZero() && controllerutil.ContainsFinalizer(pool, spiderpoolv2beta1.SpiderFinalizer) {
		removed, err := r.removeFinalizer(ctx, req.NamespacedName)
		if err != nil || removed {
			return reconcile.Result{}, err
		}
	}
	deleted, again, err := r.reclaimAutoPool(ctx, pool)
	if err != nil || deleted {
		return reconcile.Result{}, err
	}
	if err := poolStatus().sync(ctx, r.Client, r.APIReader, pool); err != nil {
		return reconcile.Result{}, err
	}
	return reconcile.Result{RequeueAfter: again}, nil
}

// removeFinalizer re-reads the pool from the API server and, if it is still
// being deleted and holds no record, removes Spiderpool's finalizer with the
// read's resourceVersion as the precondition, so a record written in
// between keeps it. It reports whether the finalizer is gone.
func (r *IPPoolReconciler) removeFinalizer(ctx context.Context, key types.NamespacedName) (bool, error) {
	removed := false
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		pool := &spiderpoolv2beta1.SpiderIPPool{}
		if err := r.APIReader.Get(ctx, key, pool); err != nil {
			return err
		}
		if pool.DeletionTimestamp.IsZero() || !controllerutil.ContainsFinalizer(pool, spiderpoolv2beta1.SpiderFinalizer) {
			return nil
		}
		records, err := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
		if err != nil || len(records) > 0 {
			return nil // held (or unreadable, so maybe held): keep the finalizer
		}
		orig := pool.DeepCopy()
		controllerutil.RemoveFinalizer(pool, spiderpoolv2beta1.SpiderFinalizer)
		if err := r.Client.Patch(ctx, pool, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); err != nil {
			return err
		}
		removed = true
		return nil
	})
	if apierrors.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("remove finalizer of SpiderIPPool %s: %w", key.Name, err)
	}
	return removed, nil
}

// SetupWithManager registers the reconciler, leader only, with workers
// concurrent reconciles (SPIDERPOOL_IPPOOL_INFORMER_WORKERS). Every change
// triggers it, status changes included: the agents' allocations are what
// allocatedIPCount follows and what the finalizer waits for.
func (r *IPPoolReconciler) SetupWithManager(mgr ctrl.Manager, workers int) error {
	err := ctrl.NewControllerManagedBy(mgr).
		For(&spiderpoolv2beta1.SpiderIPPool{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(workers, 1)}).
		Complete(r)
	if err != nil {
		return fmt.Errorf("set up SpiderIPPool controller: %w", err)
	}
	return nil
}
