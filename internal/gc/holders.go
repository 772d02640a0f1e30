// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// poolHolderIndex indexes the cached pools by the holders their records
// name (status.allocatedIPs: "namespace/name"), so that the reconciler finds
// every incarnation of a pod name, including those no endpoint records.
const poolHolderIndex = "gc.spiderpool.spidernet.io/status.allocatedIPs.pod"

// indexHolders is the poolHolderIndex function. A pool whose records do
// not parse is not indexed; the full scan reports it.
func (m *recordMemo) indexHolders(obj client.Object) []string {
	pool, ok := obj.(*spiderpoolv2beta1.SpiderIPPool)
	if !ok {
		return nil
	}
	recs, err := m.of(pool)
	if err != nil {
		return nil
	}
	holders := make([]string, 0, len(recs))
	for _, r := range recs {
		holders = append(holders, r.NamespacedName)
	}
	slices.Sort(holders)
	return slices.Compact(holders)
}

// holding is one incarnation of a pod name with the records the cache shows
// for it.
type holding struct {
	inc   incarnation
	found []poolAddr
}

// incarnationsOf lists, from the cache, every incarnation of the pod name
// ns/name: the UIDs its pool records (and, with the claim storage, its
// SpiderIPClaims) name, and the UID its endpoint
// records, last, so that addresses it no longer holds are freed before its
// endpoint is judged.
func (c *collector) incarnationsOf(ctx context.Context, ns, name string) ([]holding, error) {
	ep, err := getEndpoint(ctx, c.cache, ns, name)
	if err != nil {
		return nil, err
	}
	recs, err := c.heldBy(ctx, ns+"/"+name)
	if err != nil {
		return nil, err
	}
	var epUID string
	if ep != nil {
		epUID = ep.Status.Current.UID
	}
	var out []holding
	for _, uid := range slices.Sorted(maps.Keys(recs)) {
		if uid != epUID {
			out = append(out, holding{inc: incarnation{Namespace: ns, Name: name, UID: uid}, found: recs[uid]})
		}
	}
	if epUID != "" {
		out = append(out, holding{inc: incarnation{Namespace: ns, Name: name, UID: epUID}, found: recs[epUID]})
	}
	return out, nil
}

// recordsOf returns the cached records held by the pod name key, by pod
// UID. Records without a UID are left alone, as in the scan.
func (c *collector) recordsOf(ctx context.Context, key string) (map[string][]poolAddr, error) {
	var pools spiderpoolv2beta1.SpiderIPPoolList
	if err := c.cache.List(ctx, &pools, client.MatchingFields{poolHolderIndex: key}); err != nil {
		return nil, fmt.Errorf("list SpiderIPPools holding %s: %w", key, err)
	}
	byUID := map[string][]poolAddr{}
	for i := range pools.Items {
		recs, err := c.records.of(&pools.Items[i])
		if err != nil {
			continue // not indexed either; the scan reports it
		}
		for ip, r := range recs {
			if r.NamespacedName == key && r.PodUID != "" {
				byUID[r.PodUID] = append(byUID[r.PodUID], poolAddr{pool: pools.Items[i].Name, ip: canonicalIP(ip)})
			}
		}
	}
	return byUID, nil
}

// enqueueNewHolders maps a pool update to the holders of the records it
// added or gave to another UID: a record that lands after its pod's delete
// event (an ADD racing the deletion) is judged at once, not at the next
// scan. It costs a parse of both versions of a pool whose records changed
// and one cheap reconcile per new record; creations (the start-up scan
// covers them) and deletions map to nothing (a deleted pool's parsed
// records are forgotten).
func enqueueNewHolders(m *recordMemo) handler.Funcs {
	return handler.Funcs{
		UpdateFunc: func(_ context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			for _, key := range newHolders(m, e.ObjectOld, e.ObjectNew) {
				q.Add(key)
			}
		},
		DeleteFunc: func(_ context.Context, e event.DeleteEvent, _ workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			m.forget(e.Object.GetUID())
		},
	}
}

// newHolders returns the holders of the records of newObj that oldObj did
// not have.
func newHolders(m *recordMemo, oldObj, newObj client.Object) []reconcile.Request {
	oldPool, ok1 := oldObj.(*spiderpoolv2beta1.SpiderIPPool)
	newPool, ok2 := newObj.(*spiderpoolv2beta1.SpiderIPPool)
	if !ok1 || !ok2 || sameString(oldPool.Status.AllocatedIPs, newPool.Status.AllocatedIPs) {
		return nil
	}
	before, err1 := m.of(oldPool)
	after, err2 := m.of(newPool)
	if err1 != nil || err2 != nil {
		return nil
	}
	var reqs []reconcile.Request
	for ip, r := range after {
		if r.Namespace() != "" && before[ip] != r {
			reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: r.Namespace(), Name: r.Name()}})
		}
	}
	return reqs
}

func sameString(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
