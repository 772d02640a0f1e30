// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
	"github.com/spiderpool-go/spiderpool/internal/validation"
)

// rebuild recomputes subnet's status.controlledIPPools and counts from
// pools and reports whether they changed:
//   - a manual pool it controls is recorded as its IPs (ips − excludeIPs)
//     that are in the subnet;
//   - an auto-created pool keeps its record, which autopool writes before
//     the pool; one without a record is recorded from its spec;
//   - the record of a pool that is gone is dropped, unless it is that of an
//     auto-created pool whose application still exists: the pool is being
//     created or re-created from it.
func (r *SubnetReconciler) rebuild(ctx context.Context, subnet *spiderpoolv2beta1.SpiderSubnet,
	pools []spiderpoolv2beta1.SpiderIPPool) (bool, error) {
	v, err := autopool.SubnetVersion(subnet)
	if err != nil {
		return false, err
	}
	usable, err := allocator.PoolSpec{Version: v, IPs: subnet.Spec.IPs, ExcludeIPs: subnet.Spec.ExcludeIPs}.Usable()
	if err != nil {
		return false, fmt.Errorf("SpiderSubnet %s: %w", subnet.Name, err)
	}
	old, err := spiderpoolv2beta1.ParseControlledIPPools(subnet.Status.ControlledIPPools)
	if err != nil {
		return false, fmt.Errorf("SpiderSubnet %s: %w", subnet.Name, err)
	}
	records := spiderpoolv2beta1.PoolIPPreAllocations{}
	for i := range pools {
		p := &pools[i]
		if !ownedBy(p, subnet.Name) {
			continue
		}
		if rec, ok := old[p.Name]; ok && validation.IsAutoPool(p) {
			records[p.Name] = rec
		} else if rec, ok := poolRecord(v, p, usable); ok {
			records[p.Name] = rec
		}
	}
	for name, rec := range old {
		if _, done := records[name]; !done && rec.Application != nil && r.Apps.recordLive(ctx, name, *rec.Application) {
			records[name] = rec
		}
	}
	before := subnet.Status.DeepCopy()
	if err := autopool.SetRecords(subnet, usable, records); err != nil {
		return false, err
	}
	return !equality.Semantic.DeepEqual(*before, subnet.Status), nil
}

// poolRecord is the record of a pool from its spec: its IPs in the subnet,
// and the application of an auto-created pool.
func poolRecord(v allocator.IPVersion, pool *spiderpoolv2beta1.SpiderIPPool, usable *allocator.Set) (spiderpoolv2beta1.PoolIPPreAllocation, bool) {
	mine, err := allocator.PoolSpec{Version: v, IPs: pool.Spec.IPs, ExcludeIPs: pool.Spec.ExcludeIPs}.Usable()
	if err != nil {
		return spiderpoolv2beta1.PoolIPPreAllocation{}, false // the pool webhook reports it
	}
	in := mine.Subtract(mine.Subtract(usable))
	rec := spiderpoolv2beta1.PoolIPPreAllocation{IPs: in.Strings()}
	if rec.IPs == nil {
		rec.IPs = []string{}
	}
	if validation.IsAutoPool(pool) {
		app := autopool.AppOfPool(pool).Application()
		rec.Application = &app
	}
	return rec, true
}
