// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
)

// checkRecords compares the running pods with the pools' records: every
// address a pod reports must be recorded for that pod's UID, and no two
// pods may report one address. It returns the mismatches and notes with
// the first few appended.
func (r *scenarioRun) checkRecords(ctx context.Context, notes []string) (int, []string) {
	recs, err := r.records(ctx)
	if err != nil {
		return 0, append(notes, "record check: "+err.Error())
	}
	var pods corev1.PodList
	if err := r.env.Client.List(ctx, &pods, client.InNamespace(r.ns)); err != nil {
		return 0, append(notes, "record check: list pods: "+err.Error())
	}
	seen := map[string]string{}
	var bad []string
	for i := range pods.Items {
		p := &pods.Items[i]
		if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning {
			continue
		}
		for _, ip := range p.Status.PodIPs {
			if other, dup := seen[ip.IP]; dup {
				bad = append(bad, fmt.Sprintf("%s on %s and %s", ip.IP, other, p.Name))
			}
			seen[ip.IP] = p.Name
			if rec, ok := recs[ip.IP]; !ok || rec.PodUID != string(p.UID) {
				bad = append(bad, fmt.Sprintf("%s of %s recorded as %+v", ip.IP, p.Name, rec))
			}
		}
	}
	for i := range min(3, len(bad)) {
		notes = append(notes, "record mismatch: "+bad[i])
	}
	return len(bad), notes
}

// records merges the scenario's pools' records, or with the claim storage
// on, their claims.
func (r *scenarioRun) records(ctx context.Context) (spiderpoolv2beta1.PoolIPAllocations, error) {
	pools, err := r.listPools(ctx)
	if err != nil {
		return nil, err
	}
	if r.opts.ClaimStorage {
		return r.claimed(ctx, pools)
	}
	all := spiderpoolv2beta1.PoolIPAllocations{}
	for _, p := range pools {
		recs, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
		if err != nil {
			return nil, fmt.Errorf("pool %s: %w", p.Name, err)
		}
		for ip, rec := range recs {
			all[ip] = rec
		}
	}
	return all, nil
}

// claimed merges the holders of the pools' SpiderIPClaims, as records.
func (r *scenarioRun) claimed(ctx context.Context, pools []spiderpoolv2beta1.SpiderIPPool) (spiderpoolv2beta1.PoolIPAllocations, error) {
	all := spiderpoolv2beta1.PoolIPAllocations{}
	for _, p := range pools {
		var list ipamclaimsv1alpha1.SpiderIPClaimList
		if err := r.env.Client.List(ctx, &list, client.MatchingLabels{ipamclaimsv1alpha1.LabelPool: claims.PoolLabelValue(p.Name)}); err != nil {
			return nil, fmt.Errorf("list claims of pool %s: %w", p.Name, err)
		}
		if err := claims.AddRecords(all, list.Items); err != nil {
			return nil, fmt.Errorf("pool %s: %w", p.Name, err)
		}
	}
	return all, nil
}

// listPools reads the scenario's named pools, or the auto pools its subnets
// own now.
func (r *scenarioRun) listPools(ctx context.Context) ([]spiderpoolv2beta1.SpiderIPPool, error) {
	if len(r.layout.subnets) == 0 {
		out := make([]spiderpoolv2beta1.SpiderIPPool, 0, len(r.layout.pools))
		for _, name := range r.layout.pools {
			p, err := r.getPool(ctx, name)
			if err != nil {
				return nil, err
			}
			out = append(out, *p)
		}
		return out, nil
	}
	sel, err := labels.NewRequirement(spiderpoolv2beta1.LabelOwnerSpiderSubnet, selection.In, r.layout.subnets)
	if err != nil {
		return nil, fmt.Errorf("auto pool selector: %w", err)
	}
	var pools spiderpoolv2beta1.SpiderIPPoolList
	if err := r.env.Client.List(ctx, &pools, client.MatchingLabelsSelector{Selector: labels.NewSelector().Add(*sel)}); err != nil {
		return nil, fmt.Errorf("list auto pools: %w", err)
	}
	return pools.Items, nil
}
