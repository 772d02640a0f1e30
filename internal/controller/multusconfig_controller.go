// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	nadv1 "github.com/spiderpool-go/spiderpool/api/k8scni/v1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/multusconf"
)

// The controller writes the NetworkAttachmentDefinitions of
// SpiderMultusConfigs and records events about them in their namespaces.
//
// +kubebuilder:rbac:groups=k8s.cni.cncf.io,resources=network-attachment-definitions,verbs=get;list;watch;create;update
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch

// Reasons of the events the MultusConfigReconciler records on a
// SpiderMultusConfig.
const (
	ReasonInvalidMultusConfig = "InvalidConfig"
	ReasonNADTakenOver        = "NetworkAttachmentDefinitionTakenOver"
	ReasonNADNotOwned         = "NetworkAttachmentDefinitionNotOwned"
)

// MultusConfigReconciler keeps the NetworkAttachmentDefinition of every
// SpiderMultusConfig as internal/multusconf generates it
// (docs/reference/behaviour.md §9.3): it creates it, controlled by the
// SpiderMultusConfig, re-creates it when it is deleted by hand, and updates
// its annotations, configuration and controller reference when they
// differ. An existing NAD of the same name that no controller owns is
// taken over, as Spiderpool does; one controlled by something else is left
// alone, with a Warning event. It never deletes a NAD: the garbage
// collector does, through the owner reference. It runs on the leader only.
type MultusConfigReconciler struct {
	// Client reads from the cache and writes to the API server.
	Client client.Client
	// Recorder records events on the SpiderMultusConfigs.
	Recorder record.EventRecorder
	// Retry is how long to wait for a NAD that is being deleted, or that
	// another owner controls, before looking again.
	Retry time.Duration
}

// Reconcile implements reconcile.Reconciler.
func (r *MultusConfigReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	smc := &spiderpoolv2beta1.SpiderMultusConfig{}
	if err := r.Client.Get(ctx, req.NamespacedName, smc); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if !smc.DeletionTimestamp.IsZero() {
		return reconcile.Result{}, nil
	}
	want, err := multusconf.NAD(smc)
	if errors.Is(err, multusconf.ErrInvalid) {
		r.Recorder.Event(smc, corev1.EventTypeWarning, ReasonInvalidMultusConfig, err.Error())
		return reconcile.Result{}, nil // a change of the object reconciles it again
	}
	if err != nil {
		return reconcile.Result{}, err
	}
	if err := controllerutil.SetControllerReference(smc, want, r.Client.Scheme()); err != nil {
		return reconcile.Result{}, fmt.Errorf("owner reference of NetworkAttachmentDefinition %s/%s: %w", want.Namespace, want.Name, err)
	}
	return r.apply(ctx, smc, want)
}

// apply creates want, or brings the existing NAD of its name in line.
func (r *MultusConfigReconciler) apply(ctx context.Context, smc *spiderpoolv2beta1.SpiderMultusConfig,
	want *nadv1.NetworkAttachmentDefinition) (reconcile.Result, error) {
	have := &nadv1.NetworkAttachmentDefinition{}
	err := r.Client.Get(ctx, client.ObjectKeyFromObject(want), have)
	if apierrors.IsNotFound(err) {
		return reconcile.Result{}, r.create(ctx, want)
	}
	if err != nil {
		return reconcile.Result{}, fmt.Errorf("read NetworkAttachmentDefinition %s/%s: %w", want.Namespace, want.Name, err)
	}
	if !have.DeletionTimestamp.IsZero() {
		return reconcile.Result{RequeueAfter: r.Retry}, nil // re-created once it is gone
	}
	owner := metav1.GetControllerOf(have)
	switch {
	case owner == nil:
		r.Recorder.Eventf(smc, corev1.EventTypeNormal, ReasonNADTakenOver,
			"NetworkAttachmentDefinition %s/%s existed without a controller; it now follows this SpiderMultusConfig", have.Namespace, have.Name)
	case owner.UID != smc.UID:
		r.Recorder.Eventf(smc, corev1.EventTypeWarning, ReasonNADNotOwned,
			"NetworkAttachmentDefinition %s/%s is controlled by %s %s, so it is left alone; delete it, or name another one with annotation %s",
			have.Namespace, have.Name, owner.Kind, owner.Name, spiderpoolv2beta1.AnnoMultusConfigName)
		return reconcile.Result{RequeueAfter: r.Retry}, nil
	}
	return reconcile.Result{}, r.update(ctx, smc, have, want)
}

// create creates want.
func (r *MultusConfigReconciler) create(ctx context.Context, want *nadv1.NetworkAttachmentDefinition) error {
	if err := r.Client.Create(ctx, want); err != nil {
		return fmt.Errorf("create NetworkAttachmentDefinition %s/%s: %w", want.Namespace, want.Name, err)
	}
	return nil
}

// update writes want's annotations and configuration into have, and makes
// smc its controller, when they differ; have's other owner references stay.
func (r *MultusConfigReconciler) update(ctx context.Context, smc *spiderpoolv2beta1.SpiderMultusConfig,
	have, want *nadv1.NetworkAttachmentDefinition) error {
	owned := metav1.IsControlledBy(have, smc)
	if owned && maps.Equal(have.Annotations, want.Annotations) && have.Spec.Config == want.Spec.Config {
		return nil
	}
	have.Annotations, have.Spec.Config = want.Annotations, want.Spec.Config
	if err := controllerutil.SetControllerReference(smc, have, r.Client.Scheme()); err != nil {
		return fmt.Errorf("owner reference of NetworkAttachmentDefinition %s/%s: %w", have.Namespace, have.Name, err)
	}
	if err := r.Client.Update(ctx, have); err != nil {
		return fmt.Errorf("update NetworkAttachmentDefinition %s/%s: %w", have.Namespace, have.Name, err)
	}
	return nil
}

// SetupWithManager registers the reconciler, leader only, with one worker
// as Spiderpool: SpiderMultusConfigs and the NADs they control trigger it.
func (r *MultusConfigReconciler) SetupWithManager(mgr ctrl.Manager) error {
	err := ctrl.NewControllerManagedBy(mgr).
		For(&spiderpoolv2beta1.SpiderMultusConfig{}).
		Owns(&nadv1.NetworkAttachmentDefinition{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: 1}).
		Complete(r)
	if err != nil {
		return fmt.Errorf("set up SpiderMultusConfig controller: %w", err)
	}
	return nil
}
