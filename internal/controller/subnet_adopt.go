// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"fmt"
	"slices"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/validation"
)

// poolsOf returns the pools of subnet: those of its CIDR and those that
// name it as their owner (label or controller reference).
func (r *SubnetReconciler) poolsOf(ctx context.Context, subnet *spiderpoolv2beta1.SpiderSubnet) ([]spiderpoolv2beta1.SpiderIPPool, error) {
	var list spiderpoolv2beta1.SpiderIPPoolList
	if err := r.Client.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("list SpiderIPPools: %w", err)
	}
	return slices.DeleteFunc(list.Items, func(p spiderpoolv2beta1.SpiderIPPool) bool {
		return !ownedBy(&p, subnet.Name) && p.Spec.Subnet != subnet.Spec.Subnet
	}), nil
}

// ownedBy reports whether pool names subnet as its owner.
func ownedBy(pool *spiderpoolv2beta1.SpiderIPPool, subnet string) bool {
	return pool.Labels[spiderpoolv2beta1.LabelOwnerSpiderSubnet] == subnet || validation.ControllerSubnet(pool) == subnet
}

// adopt makes subnet the controller of every pool of its CIDR that nothing
// controls, as the pool webhook does when the pool is created
// (validation.InheritFromSubnet), and returns pools as they are now. A pool
// the webhook refuses to hand over (its IPs are not all in the subnet) is
// logged and left alone.
func (r *SubnetReconciler) adopt(ctx context.Context, subnet *spiderpoolv2beta1.SpiderSubnet,
	pools []spiderpoolv2beta1.SpiderIPPool) ([]spiderpoolv2beta1.SpiderIPPool, error) {
	for i := range pools {
		pool := &pools[i]
		if pool.Spec.Subnet != subnet.Spec.Subnet || pool.DeletionTimestamp != nil {
			continue
		}
		adopted := pool.DeepCopy()
		validation.InheritFromSubnet(adopted, subnet)
		if equality.Semantic.DeepEqual(adopted.ObjectMeta, pool.ObjectMeta) && equality.Semantic.DeepEqual(adopted.Spec, pool.Spec) {
			continue
		}
		err := r.Client.Patch(ctx, adopted, client.MergeFromWithOptions(pool, client.MergeFromWithOptimisticLock{}))
		switch {
		case apierrors.IsNotFound(err):
		case apierrors.IsConflict(err):
			return nil, err // a newer pool is on its way: its event reconciles again
		case err != nil:
			logr.FromContextOrDiscard(ctx).Info("pool not adopted", "pool", pool.Name, "reason", err.Error())
		default:
			*pool = *adopted
		}
	}
	return pools, nil
}

// subnetsOfPool maps a pool event to its subnets: the owner it names and
// the subnets of its CIDR.
func (r *SubnetReconciler) subnetsOfPool(ctx context.Context, obj client.Object) []reconcile.Request {
	pool, ok := obj.(*spiderpoolv2beta1.SpiderIPPool)
	if !ok {
		return nil
	}
	var out []reconcile.Request
	add := func(name string) {
		req := reconcile.Request{}
		req.Name = name
		if name != "" && !slices.Contains(out, req) {
			out = append(out, req)
		}
	}
	add(pool.Labels[spiderpoolv2beta1.LabelOwnerSpiderSubnet])
	add(validation.ControllerSubnet(pool))
	var subnets spiderpoolv2beta1.SpiderSubnetList
	sel := client.MatchingLabels{spiderpoolv2beta1.LabelSubnetCIDR: allocator.CIDRToLabelValue(pool.Spec.Subnet)}
	if err := r.Client.List(ctx, &subnets, sel); err == nil {
		for _, s := range subnets.Items {
			add(s.Name)
		}
	}
	return out
}

// poolChangePredicate passes the pool events that change a subnet's view:
// creation, deletion, and updates of ips, excludeIPs, owner or
// deletionTimestamp.
func poolChangePredicate() predicate.Funcs {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			o, okO := e.ObjectOld.(*spiderpoolv2beta1.SpiderIPPool)
			n, okN := e.ObjectNew.(*spiderpoolv2beta1.SpiderIPPool)
			if !okO || !okN {
				return false
			}
			return !slices.Equal(o.Spec.IPs, n.Spec.IPs) || !slices.Equal(o.Spec.ExcludeIPs, n.Spec.ExcludeIPs) ||
				o.Labels[spiderpoolv2beta1.LabelOwnerSpiderSubnet] != n.Labels[spiderpoolv2beta1.LabelOwnerSpiderSubnet] ||
				validation.ControllerSubnet(o) != validation.ControllerSubnet(n) ||
				o.DeletionTimestamp.IsZero() != n.DeletionTimestamp.IsZero()
		},
	}
}
