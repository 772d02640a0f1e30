// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
)

// ReasonBadAutoPoolAnnotation is the reason of the Warning event on an
// application whose subnet annotations cannot be used.
const ReasonBadAutoPoolAnnotation = "InvalidAutoPoolAnnotation"

// ReasonSubnetIPsNotEnough is the reason of the Warning event on an
// application whose subnet has too few unassigned IPs for its pool.
const ReasonSubnetIPsNotEnough = "SubnetIPsNotEnough"

// ReasonAutoPoolFailed is the reason of the Warning event on an
// application whose auto-created pool could not be made for another reason
// than a lost race (a missing subnet, a subnet of the wrong family).
const ReasonAutoPoolFailed = "AutoPoolFailed"

// AppReconciler makes the auto-created pools of the applications of one
// kind (docs/reference/behaviour.md §5.4): for each interface and IP version
// its pod template asks a SpiderSubnet for, a pool of replicas + N (flexible)
// or N (fixed) IPs. It runs on the leader only, when enableSpiderSubnet and
// enableAutoPoolForApplication are on. A deleted application's pools with
// reclaim true are deleted.
type AppReconciler struct {
	// Client reads the applications from the cache.
	Client client.Client
	// Pools writes the pools and the subnets' records.
	Pools *autopool.Reconciler
	// Recorder records Warning events on applications with malformed
	// annotations.
	Recorder record.EventRecorder
	// DefaultRedundant is the N of "+N" when an application has no
	// ippool-ip-number annotation (ConfigMap
	// clusterSubnetDefaultFlexibleIPNumber).
	DefaultRedundant int
	// RetryDelay is when an application whose pool waits for free IPs (in
	// its pool to shrink, or in its subnet to grow) is looked at again
	// (SPIDERPOOL_WORKQUEUE_RETRY_DELAY_DURATION).
	RetryDelay time.Duration
	kind       appKind
}

// Reconcile implements reconcile.Reconciler.
func (r *AppReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	obj := r.kind.newObj()
	if err := r.Client.Get(ctx, req.NamespacedName, obj); err != nil {
		if client.IgnoreNotFound(err) != nil {
			return reconcile.Result{}, err
		}
		return reconcile.Result{}, r.reclaim(ctx, req)
	}
	tmpl := r.kind.template(obj)
	if !obj.GetDeletionTimestamp().IsZero() || r.kind.leftToOwner(obj) || tmpl.Spec.HostNetwork {
		return reconcile.Result{}, nil
	}
	app, _ := autopool.AppOf(obj)
	reqs, err := poolRequests(app, tmpl.Annotations, r.DefaultRedundant)
	if err != nil {
		r.Recorder.Eventf(obj, corev1.EventTypeWarning, ReasonBadAutoPoolAnnotation,
			"no auto-created pool made: %v; fix the pod template's annotation", err)
		logr.FromContextOrDiscard(ctx).V(1).Info("auto-created pool: bad annotation", "reason", err.Error())
		return reconcile.Result{}, nil
	}
	return r.ensure(ctx, obj, reqs)
}

// ensure makes the pools reqs of the application obj. Waiting for free
// IPs is retried after RetryDelay; any other error with the rate limiter.
func (r *AppReconciler) ensure(ctx context.Context, obj client.Object, reqs []autopool.Request) (reconcile.Result, error) {
	var errs []error
	waiting := false
	for _, pr := range reqs {
		_, err := r.Pools.Ensure(ctx, pr)
		switch {
		case err == nil:
		case errors.Is(err, autopool.ErrSubnetIPsNotEnough):
			r.Recorder.Event(obj, corev1.EventTypeWarning, ReasonSubnetIPsNotEnough, err.Error())
			waiting = true
		case errors.Is(err, autopool.ErrFreeIPsNotEnough):
			logr.FromContextOrDiscard(ctx).V(1).Info("auto-created pool waits to shrink", "reason", err.Error())
			waiting = true
		default:
			if !apierrors.IsConflict(err) && !apierrors.IsAlreadyExists(err) {
				r.Recorder.Event(obj, corev1.EventTypeWarning, ReasonAutoPoolFailed, err.Error())
			}
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return reconcile.Result{}, err
	}
	if waiting {
		return reconcile.Result{RequeueAfter: max(r.RetryDelay, time.Second)}, nil
	}
	return reconcile.Result{}, nil
}

// reclaim deletes the reclaimable pools of a deleted application: those
// labelled with its kind, namespace and name and reclaim true (any UID of
// that name is gone).
func (r *AppReconciler) reclaim(ctx context.Context, req reconcile.Request) error {
	app := autopool.App{Kind: r.kind.name, Namespace: req.Namespace, Name: req.Name}
	app.Group, app.Version = r.gvk().Group, r.gvk().Version
	err := r.Client.DeleteAllOf(ctx, &spiderpoolv2beta1.SpiderIPPool{}, client.MatchingLabels{
		spiderpoolv2beta1.LabelOwnerApplicationGV:        app.GV(),
		spiderpoolv2beta1.LabelOwnerApplicationKind:      app.Kind,
		spiderpoolv2beta1.LabelOwnerApplicationNamespace: app.Namespace,
		spiderpoolv2beta1.LabelOwnerApplicationName:      app.Name,
		spiderpoolv2beta1.LabelIPPoolReclaim:             "true",
	})
	if err != nil {
		return fmt.Errorf("delete the auto-created pools of deleted %s: %w", app, err)
	}
	return nil
}

// gvk is the group, version and kind of the reconciler's kind.
func (r *AppReconciler) gvk() schema.GroupVersionKind {
	gvks, _, err := r.Client.Scheme().ObjectKinds(r.kind.newObj())
	if err != nil || len(gvks) == 0 {
		return schema.GroupVersionKind{Kind: r.kind.name}
	}
	return gvks[0]
}

// SetupAppControllers registers one AppReconciler per kind, leader only,
// each with workers concurrent reconciles
// (SPIDERPOOL_SUBNET_APPLICATION_CONTROLLER_WORKERS).
func SetupAppControllers(mgr ctrl.Manager, base AppReconciler, workers int) error {
	for _, k := range appKinds() {
		r := base
		r.kind = k
		err := ctrl.NewControllerManagedBy(mgr).
			Named("autopool-"+k.lowerName()).
			For(k.newObj(), builder.WithPredicates(appChangePredicate(k))).
			Watches(&spiderpoolv2beta1.SpiderIPPool{}, handler.EnqueueRequestsFromMapFunc(appOfPool(k)),
				builder.WithPredicates(poolDeletedPredicate())).
			WithOptions(controller.Options{MaxConcurrentReconciles: max(workers, 1)}).
			Complete(&r)
		if err != nil {
			return fmt.Errorf("set up the auto-pool controller of %ss: %w", k.name, err)
		}
	}
	return nil
}

// poolRequests are the pools app needs from the annotations of its pod
// template: none without subnet annotations; an error for a malformed one.
func poolRequests(app autopool.App, annos map[string]string, defaultRedundant int) ([]autopool.Request, error) {
	subnets, err := subnetsAnnotation(annos)
	if err != nil || subnets == nil {
		return nil, err
	}
	number, ok, err := annotation.Lookup(annos, annotation.KeyIPPoolIPNumber, annotation.ParseIPNumber)
	if err != nil {
		return nil, err
	}
	if !ok {
		number = annotation.IPNumber{Flexible: true, N: defaultRedundant}
	}
	reclaim, ok, err := annotation.Lookup(annos, annotation.KeyIPPoolReclaim, annotation.ParseReclaim)
	if err != nil {
		return nil, err
	}
	if !ok {
		reclaim = true
	}
	var reqs []autopool.Request
	for _, s := range subnets {
		base := autopool.Request{App: app, Interface: s.Interface, Number: number, Reclaim: reclaim}
		if len(s.IPv4) > 0 {
			base.Subnet, base.Version = s.IPv4[0], 4
			reqs = append(reqs, base)
		}
		if len(s.IPv6) > 0 {
			base.Subnet, base.Version = s.IPv6[0], 6
			reqs = append(reqs, base)
		}
	}
	return reqs, nil
}

// subnetsAnnotation parses ipam.spidernet.io/subnets, or else
// ipam.spidernet.io/subnet; nil when neither is set.
func subnetsAnnotation(annos map[string]string) ([]annotation.Subnet, error) {
	if list, ok, err := annotation.Lookup(annos, annotation.KeySubnets, annotation.ParseSubnets); ok {
		return list, err
	}
	one, ok, err := annotation.Lookup(annos, annotation.KeySubnet, annotation.ParseSubnet)
	if !ok || err != nil {
		return nil, err
	}
	return []annotation.Subnet{one}, nil
}
