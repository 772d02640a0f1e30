// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package autopool

import (
	"context"
	"fmt"
	"maps"
	"slices"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// state is one read of a subnet, decoded.
type state struct {
	subnet  *spiderpoolv2beta1.SpiderSubnet
	records spiderpoolv2beta1.PoolIPPreAllocations
	inputs  Inputs
}

// newState decodes subnet and what the pool name holds into the inputs of
// PreAllocate.
func (r *Reconciler) newState(ctx context.Context, req Request, subnet *spiderpoolv2beta1.SpiderSubnet,
	existing *spiderpoolv2beta1.SpiderIPPool, name string) (*state, error) {
	v := req.Version
	records, err := spiderpoolv2beta1.ParseControlledIPPools(subnet.Status.ControlledIPPools)
	if err != nil {
		return nil, fmt.Errorf("SpiderSubnet %q: %w", subnet.Name, err)
	}
	usable, err := allocator.PoolSpec{Version: v, IPs: subnet.Spec.IPs, ExcludeIPs: subnet.Spec.ExcludeIPs}.Usable()
	if err != nil {
		return nil, fmt.Errorf("SpiderSubnet %q: %w", subnet.Name, err)
	}
	others, err := RecordedIPs(v, records, name)
	if err != nil {
		return nil, fmt.Errorf("SpiderSubnet %q: %w", subnet.Name, err)
	}
	inUse, err := r.poolIPs(ctx, v, subnet.Spec.Subnet, name)
	if err != nil {
		return nil, err
	}
	if others, err = others.Union(inUse); err != nil {
		return nil, err
	}
	reserved, err := r.reserved(ctx, v)
	if err != nil {
		return nil, err
	}
	in := Inputs{Subnet: subnet.Name, Usable: usable, Others: others, Reserved: reserved, Size: req.Size()}
	if rec, ok := records[name]; ok {
		in.Current, err = allocator.ParseSet(v, rec.IPs)
	} else if existing != nil {
		in.Current, err = allocator.ParseSet(v, existing.Spec.IPs)
	}
	if err != nil {
		return nil, fmt.Errorf("pool %s: %w", name, err)
	}
	if existing != nil {
		if in.Allocated, err = allocatedSet(v, existing); err != nil {
			return nil, err
		}
	}
	return &state{subnet: subnet, records: records, inputs: in}, nil
}

// RecordedIPs is the union of the IPs of records, except that of pool skip.
func RecordedIPs(v allocator.IPVersion, records spiderpoolv2beta1.PoolIPPreAllocations, skip string) (*allocator.Set, error) {
	var all []string
	for name, rec := range records {
		if name != skip {
			all = append(all, rec.IPs...)
		}
	}
	set, err := allocator.ParseSet(v, all)
	if err != nil {
		return nil, fmt.Errorf("status.controlledIPPools: %w", err)
	}
	return set, nil
}

// poolIPs is the union of the spec.ips of the pools of cidr other than
// skip: a pool the subnet has not recorded yet (a manual pool just made)
// or one whose shrink is under way still holds them.
func (r *Reconciler) poolIPs(ctx context.Context, v allocator.IPVersion, cidr, skip string) (*allocator.Set, error) {
	var list spiderpoolv2beta1.SpiderIPPoolList
	if err := r.Client.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("list SpiderIPPools: %w", err)
	}
	out := allocator.NewSet(v)
	for _, p := range list.Items {
		if p.Name == skip || p.Spec.Subnet != cidr {
			continue
		}
		if set, err := allocator.ParseSet(v, p.Spec.IPs); err == nil {
			out, _ = out.Union(set) // same version
		}
	}
	return out, nil
}

// reserved is the union of the IPs of the SpiderReservedIPs of version v.
func (r *Reconciler) reserved(ctx context.Context, v allocator.IPVersion) (*allocator.Set, error) {
	var list spiderpoolv2beta1.SpiderReservedIPList
	if err := r.Client.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("list SpiderReservedIPs: %w", err)
	}
	out := allocator.NewSet(v)
	for _, rip := range list.Items {
		set, err := allocator.ParseSet(v, rip.Spec.IPs)
		if err != nil {
			continue // another family, or invalid: the webhook reports it, it reserves nothing here
		}
		out, _ = out.Union(set) // same version
	}
	return out, nil
}

func allocatedSet(v allocator.IPVersion, pool *spiderpoolv2beta1.SpiderIPPool) (*allocator.Set, error) {
	records, err := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
	if err != nil {
		return nil, fmt.Errorf("pool %s: %w", pool.Name, err)
	}
	set, err := allocator.ParseSet(v, slices.Collect(maps.Keys(records)))
	if err != nil {
		return nil, fmt.Errorf("pool %s: status.allocatedIPs: %w", pool.Name, err)
	}
	return set, nil
}
