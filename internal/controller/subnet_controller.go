// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"fmt"

	"k8s.io/client-go/util/retry"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// SubnetReconciler is the SpiderSubnet controller
// (docs/reference/behaviour.md §5.6, docs/subnet.md). It runs on the leader
// only, when enableSpiderSubnet is on. For each subnet it:
//   - sets the subnet-cidr label;
//   - adopts the pools of the same CIDR that nothing controls (owner
//     reference, owner label, the subnet's gateway and routes when unset);
//   - rebuilds status.controlledIPPools: the pools it controls, auto-created
//     pools while their application exists, and the counts;
//   - on deletion, deletes its pools first and keeps its finalizer until
//     none is left.
//
// The application controller (and the agent, for third-party controllers)
// write the records of auto-created pools through internal/autopool with
// the same optimistic concurrency, so every status write here is computed
// from a read of the API server and carries its resourceVersion.
type SubnetReconciler struct {
	// Client reads from the cache and writes to the API server.
	Client client.Client
	// APIReader reads from the API server.
	APIReader client.Reader
	// Apps tells whether an auto-created pool's application exists.
	Apps *AppChecker
}

// Reconcile implements reconcile.Reconciler.
func (r *SubnetReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	subnet := &spiderpoolv2beta1.SpiderSubnet{}
	if err := r.Client.Get(ctx, req.NamespacedName, subnet); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if !subnet.DeletionTimestamp.IsZero() {
		return r.finalize(ctx, subnet)
	}
	if err := r.ensureCIDRLabel(ctx, subnet); err != nil {
		return reconcile.Result{}, err
	}
	pools, err := r.poolsOf(ctx, subnet)
	if err != nil {
		return reconcile.Result{}, err
	}
	if pools, err = r.adopt(ctx, subnet, pools); err != nil {
		return reconcile.Result{}, err
	}
	return reconcile.Result{}, r.syncRecords(ctx, req.Name, pools)
}

// ensureCIDRLabel sets the subnet-cidr label when it is missing or wrong.
func (r *SubnetReconciler) ensureCIDRLabel(ctx context.Context, subnet *spiderpoolv2beta1.SpiderSubnet) error {
	want := allocator.CIDRToLabelValue(subnet.Spec.Subnet)
	if subnet.Labels[spiderpoolv2beta1.LabelSubnetCIDR] == want {
		return nil
	}
	orig := subnet.DeepCopy()
	if subnet.Labels == nil {
		subnet.Labels = map[string]string{}
	}
	subnet.Labels[spiderpoolv2beta1.LabelSubnetCIDR] = want
	if err := r.Client.Patch(ctx, subnet, client.MergeFrom(orig)); err != nil {
		return fmt.Errorf("label SpiderSubnet %s: %w", subnet.Name, client.IgnoreNotFound(err))
	}
	return nil
}

// syncRecords rewrites status.controlledIPPools and the counts of subnet
// name from pools (those of its CIDR), when they differ.
func (r *SubnetReconciler) syncRecords(ctx context.Context, name string, pools []spiderpoolv2beta1.SpiderIPPool) error {
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		subnet := &spiderpoolv2beta1.SpiderSubnet{}
		if err := r.APIReader.Get(ctx, client.ObjectKey{Name: name}, subnet); err != nil {
			return client.IgnoreNotFound(err)
		}
		changed, err := r.rebuild(ctx, subnet, pools)
		if err != nil || !changed {
			return err
		}
		return r.Client.Status().Update(ctx, subnet)
	})
	if err != nil {
		return fmt.Errorf("status of SpiderSubnet %s: %w", name, err)
	}
	return nil
}

// SetupWithManager registers the reconciler, leader only, with workers
// concurrent reconciles (SPIDERPOOL_SUBNET_INFORMER_WORKERS). A pool's
// creation, deletion, or change of IPs or owner enqueues its subnets.
func (r *SubnetReconciler) SetupWithManager(mgr ctrl.Manager, workers int) error {
	err := ctrl.NewControllerManagedBy(mgr).
		For(&spiderpoolv2beta1.SpiderSubnet{}).
		Watches(&spiderpoolv2beta1.SpiderIPPool{}, handler.EnqueueRequestsFromMapFunc(r.subnetsOfPool),
			builder.WithPredicates(poolChangePredicate())).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(workers, 1)}).
		Complete(r)
	if err != nil {
		return fmt.Errorf("set up SpiderSubnet controller: %w", err)
	}
	return nil
}
