// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"fmt"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// SubnetReconciler keeps a SpiderSubnet's totalIPCount and
// allocatedIPCount true to its spec and status.controlledIPPools. It runs
// on the leader only, when enableSpiderSubnet is on.
//
// It is the counting part of Spiderpool's subnet controller only: the
// controlledIPPools records, the ownership of pools, the foreground
// deletion and the finalizer belong to the subnet controller proper (not
// written yet), as the records belong to the agents for pools.
type SubnetReconciler struct {
	// Client reads from the cache and writes to the API server.
	Client client.Client
	// APIReader reads from the API server after a conflict.
	APIReader client.Reader
}

// Reconcile implements reconcile.Reconciler.
func (r *SubnetReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	subnet := &spiderpoolv2beta1.SpiderSubnet{}
	if err := r.Client.Get(ctx, req.NamespacedName, subnet); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	return reconcile.Result{}, subnetStatus().sync(ctx, r.Client, r.APIReader, subnet)
}

// SetupWithManager registers the reconciler, leader only, with workers
// concurrent reconciles (SPIDERPOOL_SUBNET_INFORMER_WORKERS).
func (r *SubnetReconciler) SetupWithManager(mgr ctrl.Manager, workers int) error {
	err := ctrl.NewControllerManagedBy(mgr).
		For(&spiderpoolv2beta1.SpiderSubnet{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(workers, 1)}).
		Complete(r)
	if err != nil {
		return fmt.Errorf("set up SpiderSubnet controller: %w", err)
	}
	return nil
}
