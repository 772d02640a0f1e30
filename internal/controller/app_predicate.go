// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"maps"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
)

// autoPoolKeys are the pod template annotations that shape auto-created
// pools.
var autoPoolKeys = []string{annotation.KeySubnet, annotation.KeySubnets, annotation.KeyIPPoolIPNumber, annotation.KeyIPPoolReclaim}

// appShape is what of an application its auto-created pools depend on.
type appShape struct {
	annotations map[string]string
	replicas    int
	hostNetwork bool
}

func shapeOf(k appKind, obj client.Object) appShape {
	tmpl := k.template(obj)
	s := appShape{annotations: map[string]string{}, hostNetwork: tmpl.Spec.HostNetwork}
	for _, key := range autoPoolKeys {
		if v, ok := tmpl.Annotations[key]; ok {
			s.annotations[key] = v
		}
	}
	if app, ok := autopool.AppOf(obj); ok {
		s.replicas = app.Replicas
	}
	return s
}

// appChangePredicate passes creations and deletions of applications of
// kind k that are not left to their owner, and the updates that change
// their subnet annotations, replicas or hostNetwork.
func appChangePredicate(k appKind) predicate.Funcs {
	return predicate.Funcs{
		CreateFunc: func(e event.CreateEvent) bool { return !k.leftToOwner(e.Object) },
		DeleteFunc: func(e event.DeleteEvent) bool { return !k.leftToOwner(e.Object) },
		UpdateFunc: func(e event.UpdateEvent) bool {
			if k.leftToOwner(e.ObjectNew) {
				return false
			}
			o, n := shapeOf(k, e.ObjectOld), shapeOf(k, e.ObjectNew)
			return o.replicas != n.replicas || o.hostNetwork != n.hostNetwork || !maps.Equal(o.annotations, n.annotations)
		},
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

// poolDeletedPredicate passes only the deletion of pools: a deleted
// auto-created pool is made again while its application wants it.
func poolDeletedPredicate() predicate.Funcs {
	return predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		UpdateFunc:  func(event.UpdateEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return true },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

// appOfPool maps an auto-created pool of an application of kind k to that
// application.
func appOfPool(k appKind) func(context.Context, client.Object) []reconcile.Request {
	return func(_ context.Context, obj client.Object) []reconcile.Request {
		l := obj.GetLabels()
		if l[spiderpoolv2beta1.LabelOwnerApplicationKind] != k.name || l[spiderpoolv2beta1.LabelOwnerApplicationGV] != k.gv {
			return nil
		}
		req := reconcile.Request{}
		req.Namespace, req.Name = l[spiderpoolv2beta1.LabelOwnerApplicationNamespace], l[spiderpoolv2beta1.LabelOwnerApplicationName]
		return []reconcile.Request{req}
	}
}
