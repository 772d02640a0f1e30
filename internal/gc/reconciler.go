// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/time/rate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// controllerName names the reconciler in logs and controller-runtime
// metrics.
const controllerName = "spiderpool-ip-gc"

// podNodeIndex indexes the cached pods by spec.nodeName; named for this
// package so that it cannot clash with another index of the manager.
const podNodeIndex = "gc.spiderpool.spidernet.io/spec.nodeName"

// reconciler is paths A and B: it is keyed by the pod's namespace/name
// (which is its SpiderEndpoint's) and reconciles every incarnation of that
// name, the one the endpoint records and those the pool records name,
// whenever the endpoint, the pod, the pod's node readiness or a record of
// the name changes.
type reconciler struct {
	c *collector
}

var _ reconcile.Reconciler = (*reconciler)(nil)

// Reconcile releases the dead incarnations of the pod name, and asks to be
// called again when the first grace period ends.
func (r *reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	holdings, err := r.c.incarnationsOf(ctx, req.Namespace, req.Name)
	if err != nil {
		return ctrl.Result{}, err
	}
	var after time.Duration
	var errs []error
	for _, h := range holdings {
		wait, err := r.c.collect(ctx, h.inc, h.found)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", h.inc, err))
		}
		after = soonest(after, wait)
	}
	if err := errors.Join(errs...); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: after}, nil
}

// soonest is the shorter of two waits, 0 meaning none.
func soonest(a, b time.Duration) time.Duration {
	if a == 0 || (b > 0 && b < a) {
		return b
	}
	return a
}

// setupWithManager registers the reconciler; it runs on the elected
// leader only (controller-runtime's default). StatefulSets are watched
// only with enableStatefulSet: without it their endpoints are not kept for
// a successor.
func (r *reconciler) setupWithManager(mgr ctrl.Manager, workers int) error {
	b := ctrl.NewControllerManagedBy(mgr).
		Named(controllerName).
		For(&spiderpoolv2beta1.SpiderEndpoint{}).
		Watches(&corev1.Pod{}, &handler.EnqueueRequestForObject{}, builder.WithPredicates(r.podPredicate())).
		Watches(&spiderpoolv2beta1.SpiderIPPool{}, enqueueNewHolders(r.c.records)).
		Watches(&corev1.Node{}, handler.EnqueueRequestsFromMapFunc(r.terminatingPodsOn),
			builder.WithPredicates(readinessChanged()))
	if r.c.opts.ClaimStorage {
		b = b.Watches(&ipamclaimsv1alpha1.SpiderIPClaim{}, enqueueClaimHolders())
	}
	if r.c.opts.EnableStatefulSet {
		b = b.Watches(&appsv1.StatefulSet{}, handler.EnqueueRequestsFromMapFunc(r.endpointsOf),
			builder.WithPredicates(wantsLess()))
	}
	return b.WithOptions(controller.Options{MaxConcurrentReconciles: workers, RateLimiter: retryLimiter()}).Complete(r)
}

// maxRetryDelay caps the wait before a failed reconcile runs again.
// controller-runtime's default doubles it up to 1000 s, so a pod name
// whose release failed a dozen times in an API server outage would wait
// for the next full scan (10 minutes by default) once the outage ended.
const maxRetryDelay = 30 * time.Second

// retryLimiter is controller-runtime's default rate limiter with the
// per-item backoff capped at maxRetryDelay.
func retryLimiter() workqueue.TypedRateLimiter[reconcile.Request] {
	return workqueue.NewTypedMaxOfRateLimiter(
		workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](5*time.Millisecond, maxRetryDelay),
		&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(10), 100)},
	)
}

// podPredicate passes the pod events that can make an incarnation dead:
// deletion, a pod that is terminating or has finished, and with the
// running-pod switch a pod without addresses. Host-network pods have no
// IPAM record.
func (r *reconciler) podPredicate() predicate.Predicate {
	interesting := func(obj client.Object) bool {
		pod, ok := obj.(*corev1.Pod)
		if !ok || pod.Spec.HostNetwork {
			return false
		}
		return !workload.PodAlive(pod) || (r.c.opts.GC.StatelessRunningPodOnEmptyPodStatusIPs && len(pod.Status.PodIPs) == 0)
	}
	return predicate.Funcs{
		CreateFunc:  func(e event.CreateEvent) bool { return interesting(e.Object) },
		UpdateFunc:  func(e event.UpdateEvent) bool { return interesting(e.ObjectNew) },
		DeleteFunc:  func(event.DeleteEvent) bool { return true },
		GenericFunc: func(e event.GenericEvent) bool { return interesting(e.Object) },
	}
}

// readinessChanged passes node updates that flip readiness, and node
// deletions: they change which switch applies to the node's terminating
// pods.
func readinessChanged() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc: func(event.CreateEvent) bool { return false },
		UpdateFunc: func(e event.UpdateEvent) bool {
			oldNode, ok1 := e.ObjectOld.(*corev1.Node)
			newNode, ok2 := e.ObjectNew.(*corev1.Node)
			return ok1 && ok2 && workload.NodeReady(oldNode) != workload.NodeReady(newNode)
		},
		DeleteFunc:  func(event.DeleteEvent) bool { return true },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

// terminatingPodsOn maps a node to its terminating pods.
func (r *reconciler) terminatingPodsOn(ctx context.Context, node client.Object) []reconcile.Request {
	var pods corev1.PodList
	if err := r.c.cache.List(ctx, &pods, client.MatchingFields{podNodeIndex: node.GetName()}); err != nil {
		// A map function cannot return an error; the full scan covers these
		// pods.
		ctrl.LoggerFrom(ctx).Error(err, "list pods of node", "node", node.GetName())
		return nil
	}
	var reqs []reconcile.Request
	for i := range pods.Items {
		if pods.Items[i].DeletionTimestamp != nil {
			reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{
				Namespace: pods.Items[i].Namespace, Name: pods.Items[i].Name,
			}})
		}
	}
	return reqs
}

// indexPodNode is the podNodeIndex function.
func indexPodNode(obj client.Object) []string {
	pod, ok := obj.(*corev1.Pod)
	if !ok || pod.Spec.NodeName == "" {
		return nil
	}
	return []string{pod.Spec.NodeName}
}
