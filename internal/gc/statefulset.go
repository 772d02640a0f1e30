// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// endpointOwnerIndex indexes the cached endpoints by the StatefulSet their
// pod belonged to (status.ownerControllerType StatefulSet and
// status.ownerControllerName), so that a StatefulSet change maps to the
// endpoints it may free.
const endpointOwnerIndex = "gc.spiderpool.spidernet.io/status.ownerControllerName"

// indexEndpointOwner is the endpointOwnerIndex function.
func indexEndpointOwner(obj client.Object) []string {
	ep, ok := obj.(*spiderpoolv2beta1.SpiderEndpoint)
	if !ok || ep.Status.OwnerControllerType != workload.KindStatefulSet || ep.Status.OwnerControllerName == "" {
		return nil
	}
	return []string{ep.Status.OwnerControllerName}
}

// wantsLess passes the StatefulSet events after which it may want fewer
// ordinals: a change of replicas or ordinals.start, the start of its
// deletion (foreground deletion keeps the object while its pods go), and
// its deletion. Without them, the endpoints of pods that were already gone
// would wait for the full scan.
func wantsLess() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc: func(event.CreateEvent) bool { return false },
		UpdateFunc: func(e event.UpdateEvent) bool {
			o, ok1 := e.ObjectOld.(*appsv1.StatefulSet)
			n, ok2 := e.ObjectNew.(*appsv1.StatefulSet)
			return ok1 && ok2 && (ordinals(o) != ordinals(n) || (o.DeletionTimestamp == nil) != (n.DeletionTimestamp == nil))
		},
		DeleteFunc:  func(event.DeleteEvent) bool { return true },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

// ordinals is the [start, start+replicas) range a StatefulSet asks for,
// as its spec says (defaults: start 0, 1 replica).
func ordinals(sts *appsv1.StatefulSet) [2]int32 {
	start, replicas := int32(0), int32(1)
	if sts.Spec.Ordinals != nil {
		start = sts.Spec.Ordinals.Start
	}
	if sts.Spec.Replicas != nil {
		replicas = *sts.Spec.Replicas
	}
	return [2]int32{start, start + replicas}
}

// endpointsOf maps a StatefulSet to the endpoints of its pods, in its
// namespace.
func (r *reconciler) endpointsOf(ctx context.Context, sts client.Object) []reconcile.Request {
	var eps spiderpoolv2beta1.SpiderEndpointList
	err := r.c.cache.List(ctx, &eps, client.InNamespace(sts.GetNamespace()),
		client.MatchingFields{endpointOwnerIndex: sts.GetName()})
	if err != nil {
		// A map function cannot return an error; the full scan covers them.
		ctrl.LoggerFrom(ctx).Error(err, "list SpiderEndpoints of StatefulSet", "statefulSet", client.ObjectKeyFromObject(sts))
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(eps.Items))
	for i := range eps.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{
			Namespace: eps.Items[i].Namespace, Name: eps.Items[i].Name,
		}})
	}
	return reqs
}
