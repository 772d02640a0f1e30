// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/coordinatorstatus"
)

// RBAC of the SpiderCoordinator status controller: the cluster's CIDRs
// come from ConfigMaps (kubeadm-config, cilium-config), the
// kube-controller-manager pod, ServiceCIDRs and the Calico and Cilium
// pools.
//
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spidercoordinators,verbs=get;list;watch
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spidercoordinators/status,verbs=get;update;patch
// +kubebuilder:rbac:groups="",resources=configmaps;pods,verbs=get;list
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=networking.k8s.io,resources=servicecidrs,verbs=get;list
// +kubebuilder:rbac:groups=crd.projectcalico.org,resources=ippools,verbs=get;list
// +kubebuilder:rbac:groups=cilium.io,resources=ciliumpodippools,verbs=get;list

// CoordinatorReconciler keeps the status of the SpiderCoordinator named
// Name: the cluster's overlay pod and service CIDRs, phase Synced, or
// NotReady with the reason and a Warning event ClusterNotReady
// (docs/reference/behaviour.md §9.4, docs/coordinator.md). It runs on the
// leader only. The cluster's objects are read from the API server, not
// watched: the CR is looked at again every Resync.
type CoordinatorReconciler struct {
	// Client reads the CR from the cache and patches its status.
	Client client.Client
	// Detector computes the status.
	Detector *coordinatorstatus.Detector
	// Recorder receives the ClusterNotReady events.
	Recorder record.EventRecorder
	// Name is SPIDERPOOL_COORDINATOR_DEFAULT_NAME.
	Name string
	// Resync is SPIDERPOOL_COORDINATOR_INFORMER_RESYNC_PERIOD.
	Resync time.Duration
}

// Reconcile implements reconcile.Reconciler.
func (r *CoordinatorReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	cr := &spiderpoolv2beta1.SpiderCoordinator{}
	if err := r.Client.Get(ctx, req.NamespacedName, cr); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if !cr.DeletionTimestamp.IsZero() {
		return reconcile.Result{}, nil
	}
	st, err := r.Detector.Status(ctx, cr)
	if err != nil {
		return reconcile.Result{}, fmt.Errorf("status of SpiderCoordinator %s: %w", cr.Name, err)
	}
	if st.Phase == spiderpoolv2beta1.CoordinatorPhaseNotReady && st.Reason != cr.Status.Reason && r.Recorder != nil {
		r.Recorder.Event(cr, corev1.EventTypeWarning, "ClusterNotReady", st.Reason)
	}
	if !sameStatus(st, cr.Status) {
		orig := cr.DeepCopy()
		cr.Status = st
		if err := r.Client.Status().Patch(ctx, cr, client.MergeFrom(orig)); err != nil {
			return reconcile.Result{}, fmt.Errorf("patch the status of SpiderCoordinator %s: %w", cr.Name, err)
		}
	}
	return reconcile.Result{RequeueAfter: r.Resync}, nil
}

// sameStatus compares statuses, an empty list equal to none.
func sameStatus(a, b spiderpoolv2beta1.CoordinatorStatus) bool {
	return a.Phase == b.Phase && a.Reason == b.Reason &&
		slices.Equal(a.OverlayPodCIDR, b.OverlayPodCIDR) && slices.Equal(a.ServiceCIDR, b.ServiceCIDR)
}

// SetupWithManager registers the reconciler, leader only, for the
// SpiderCoordinator named r.Name.
func (r *CoordinatorReconciler) SetupWithManager(mgr ctrl.Manager) error {
	named := predicate.NewPredicateFuncs(func(o client.Object) bool { return o.GetName() == r.Name })
	err := ctrl.NewControllerManagedBy(mgr).
		For(&spiderpoolv2beta1.SpiderCoordinator{}, builder.WithPredicates(named)).
		Complete(r)
	if err != nil {
		return fmt.Errorf("set up SpiderCoordinator controller: %w", err)
	}
	return nil
}

// setupCoordinator adds the SpiderCoordinator status controller
// (SPIDERPOOL_COORDINATOR_ENABLED).
func setupCoordinator(mgr ctrl.Manager, opts Options) error {
	if !opts.Env.EnableCoordinator {
		return nil
	}
	r := &CoordinatorReconciler{
		Client:   mgr.GetClient(),
		Detector: &coordinatorstatus.Detector{Reader: mgr.GetAPIReader(), CNIConfigDir: opts.Env.CNIConfigDir, CiliumConfigMap: opts.Env.CiliumConfigMap},
		Recorder: mgr.GetEventRecorderFor("spiderpool-controller"),
		Name:     opts.Env.DefaultCoordinatorName,
		Resync:   opts.Env.CoordinatorInformerResyncPeriod,
	}
	return r.SetupWithManager(mgr)
}
