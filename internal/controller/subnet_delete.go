// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// finalize deletes a terminating subnet's pools first
// (docs/reference/behaviour.md §5.6): it re-issues the subnet's deletion
// with foreground propagation, as Spiderpool does, so Kubernetes' garbage
// collector deletes the pools it owns, deletes every pool that names it as
// owner itself (so nothing hangs on the garbage collector), and removes its
// finalizer once no such pool is left. Each pool goes once its last IP is
// released; its deletion event brings the subnet back here.
func (r *SubnetReconciler) finalize(ctx context.Context, subnet *spiderpoolv2beta1.SpiderSubnet) (reconcile.Result, error) {
	if !controllerutil.ContainsFinalizer(subnet, spiderpoolv2beta1.SpiderFinalizer) {
		return reconcile.Result{}, nil
	}
	if !slices.Contains(subnet.Finalizers, metav1.FinalizerDeleteDependents) {
		err := r.Client.Delete(ctx, subnet, client.PropagationPolicy(metav1.DeletePropagationForeground),
			client.Preconditions{UID: &subnet.UID})
		if client.IgnoreNotFound(err) != nil && !apierrors.IsConflict(err) {
			// A validating webhook may refuse it (enableValidatingResourcesDeletedWebhook
			// and a pool made since): the pools are deleted below all the same.
			logr.FromContextOrDiscard(ctx).V(1).Info("foreground deletion not re-issued", "subnet", subnet.Name, "reason", err.Error())
		}
	}
	var list spiderpoolv2beta1.SpiderIPPoolList
	if err := r.APIReader.List(ctx, &list); err != nil {
		return reconcile.Result{}, fmt.Errorf("list SpiderIPPools: %w", err)
	}
	left, refused := 0, false
	for i := range list.Items {
		pool := &list.Items[i]
		if !ownedBy(pool, subnet.Name) {
			continue
		}
		left++
		if pool.DeletionTimestamp.IsZero() {
			err := r.Client.Delete(ctx, pool)
			switch {
			case apierrors.IsForbidden(err) || apierrors.IsInvalid(err): // refused by a webhook: wait for its IPs to go
				logr.FromContextOrDiscard(ctx).V(1).Info("pool of a deleted subnet not deleted yet", "pool", pool.Name, "reason", err.Error())
				refused = true
			case client.IgnoreNotFound(err) != nil:
				return reconcile.Result{}, fmt.Errorf("delete SpiderIPPool %s of SpiderSubnet %s: %w", pool.Name, subnet.Name, err)
			}
		}
	}
	switch {
	case refused: // no event tells when the webhook would accept: ask again
		return reconcile.Result{RequeueAfter: refusedRetry}, nil
	case left > 0:
		return reconcile.Result{}, nil
	}
	return reconcile.Result{}, r.removeFinalizer(ctx, subnet)
}

// refusedRetry is when a deleted subnet asks again to delete a pool a
// webhook refused to delete.
const refusedRetry = 30 * time.Second

// removeFinalizer removes Spiderpool's finalizer from subnet, re-reading it
// after a conflict.
func (r *SubnetReconciler) removeFinalizer(ctx context.Context, subnet *spiderpoolv2beta1.SpiderSubnet) error {
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		fresh := &spiderpoolv2beta1.SpiderSubnet{}
		if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(subnet), fresh); err != nil {
			return err
		}
		if !controllerutil.ContainsFinalizer(fresh, spiderpoolv2beta1.SpiderFinalizer) {
			return nil
		}
		orig := fresh.DeepCopy()
		controllerutil.RemoveFinalizer(fresh, spiderpoolv2beta1.SpiderFinalizer)
		return r.Client.Patch(ctx, fresh, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{}))
	})
	if client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("remove finalizer of SpiderSubnet %s: %w", subnet.Name, err)
	}
	return nil
}
