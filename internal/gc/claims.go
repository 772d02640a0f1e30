// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
)

// How the GC finds the SpiderIPClaims of the claim storage
// (Options.ClaimStorage). Pool records follow the claims within the
// projector's lag, so the record paths keep finding holders; the claims are
// judged as well, so that a claim whose holder is dead goes even before, or
// without, its record being projected. A record without a claim is the
// projector's to adopt, never the GC's to free.

// claimHolderIndex indexes the cached SpiderIPClaims by their holder,
// "spec.podNamespace/spec.podName" (as pool records name it). It is
// registered only with the claim storage on.
const claimHolderIndex = "gc.spiderpool.spidernet.io/spec.podNamespace.podName"

// indexClaimHolder is the claimHolderIndex function. A claim without a
// namespace or name is not indexed: nothing can prove its holder dead.
func indexClaimHolder(obj client.Object) []string {
	c, ok := obj.(*ipamclaimsv1alpha1.SpiderIPClaim)
	if !ok || c.Spec.PodNamespace == "" || c.Spec.PodName == "" {
		return nil
	}
	return []string{c.Spec.PodNamespace + "/" + c.Spec.PodName}
}

// addClaimIndex registers claimHolderIndex; like addIndexes, before the
// manager starts.
func addClaimIndex(idx client.FieldIndexer) error {
	err := idx.IndexField(context.Background(), &ipamclaimsv1alpha1.SpiderIPClaim{}, claimHolderIndex, indexClaimHolder)
	if err != nil {
		return fmt.Errorf("IP GC: index SpiderIPClaims by holder: %w", err)
	}
	return nil
}

// claimAddr is the address a claim holds.
func claimAddr(c *ipamclaimsv1alpha1.SpiderIPClaim) poolAddr {
	return poolAddr{pool: c.Spec.Pool, ip: canonicalIP(c.Spec.IP)}
}

// heldBy is recordsOf, joined with the cached claims of the pod name key
// when the claim storage is on.
func (c *collector) heldBy(ctx context.Context, key string) (map[string][]poolAddr, error) {
	recs, err := c.recordsOf(ctx, key)
	if err != nil || !c.opts.ClaimStorage {
		return recs, err
	}
	held, err := c.claimsOf(ctx, key)
	if err != nil {
		return nil, err
	}
	for uid, addrs := range held {
		recs[uid] = append(recs[uid], addrs...)
	}
	return recs, nil
}

// claimsOf returns the cached claims held by the pod name key, by pod UID.
// Claims without a UID are left alone, as records are.
func (c *collector) claimsOf(ctx context.Context, key string) (map[string][]poolAddr, error) {
	var list ipamclaimsv1alpha1.SpiderIPClaimList
	if err := c.cache.List(ctx, &list, client.MatchingFields{claimHolderIndex: key}); err != nil {
		return nil, fmt.Errorf("list SpiderIPClaims held by %s: %w", key, err)
	}
	byUID := map[string][]poolAddr{}
	for i := range list.Items {
		if uid := list.Items[i].Spec.PodUID; uid != "" {
			byUID[uid] = append(byUID[uid], claimAddr(&list.Items[i]))
		}
	}
	return byUID, nil
}

// holdingInventory is recordInventory, joined with claimInventory when the
// claim storage is on. Claims that cannot be listed leave the records to
// judge.
func (c *collector) holdingInventory(ctx context.Context) (map[incarnation][]poolAddr, error) {
	recs, err := c.recordInventory(ctx)
	if recs == nil || !c.opts.ClaimStorage {
		return recs, err
	}
	held, claimErr := c.claimInventory(ctx)
	for inc, addrs := range held {
		recs[inc] = append(recs[inc], addrs...)
	}
	return recs, errors.Join(err, claimErr)
}

// claimInventory lists every incarnation the cached claims name, with the
// addresses they hold.
func (c *collector) claimInventory(ctx context.Context) (map[incarnation][]poolAddr, error) {
	var list ipamclaimsv1alpha1.SpiderIPClaimList
	if err := c.cache.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("list SpiderIPClaims: %w", err)
	}
	incs := map[incarnation][]poolAddr{}
	for i := range list.Items {
		s := &list.Items[i].Spec
		inc := incarnation{Namespace: s.PodNamespace, Name: s.PodName, UID: s.PodUID}
		if inc.UID != "" && inc.Namespace != "" && inc.Name != "" {
			incs[inc] = append(incs[inc], claimAddr(&list.Items[i]))
		}
	}
	return incs, nil
}

// enqueueClaimHolders maps a created claim, and a claim given to another
// pod UID (a re-created pod of the same name adopting it), to its holder's
// pod name: a claim that lands after its pod's delete event (an ADD racing
// the deletion) is judged at once, not when its record is projected or at
// the next scan. The holder's name never changes; deletions free an address
// rather than hold one.
func enqueueClaimHolders() handler.Funcs {
	return handler.Funcs{
		CreateFunc: func(_ context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			for _, req := range claimHolder(e.Object) {
				q.Add(req)
			}
		},
		UpdateFunc: func(_ context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			for _, req := range adoptedClaimHolder(e.ObjectOld, e.ObjectNew) {
				q.Add(req)
			}
		},
	}
}

// adoptedClaimHolder is claimHolder of newObj when its pod UID is not
// oldObj's.
func adoptedClaimHolder(oldObj, newObj client.Object) []reconcile.Request {
	o, ok1 := oldObj.(*ipamclaimsv1alpha1.SpiderIPClaim)
	n, ok2 := newObj.(*ipamclaimsv1alpha1.SpiderIPClaim)
	if !ok1 || !ok2 || o.Spec.PodUID == n.Spec.PodUID {
		return nil
	}
	return claimHolder(n)
}

// claimHolder returns the pod name holding the claim obj, if it names one.
func claimHolder(obj client.Object) []reconcile.Request {
	c, ok := obj.(*ipamclaimsv1alpha1.SpiderIPClaim)
	if !ok || c.Spec.PodNamespace == "" || c.Spec.PodName == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: c.Spec.PodNamespace, Name: c.Spec.PodName}}}
}
