// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"fmt"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// counts are the two status counts of a pool or subnet.
type counts struct {
	total, allocated int64
}

// matches reports whether the status pointers already hold c.
func (c counts) matches(total, allocated *int64) bool {
	return total != nil && allocated != nil && *total == c.total && *allocated == c.allocated
}

// poolCounts returns what a pool's status counts must be:
//   - totalIPCount: the addresses of spec.ips minus spec.excludeIPs. Like
//     Spiderpool (docs/reference/behaviour.md §2.2) SpiderReservedIPs are
//     not subtracted: they are cluster-wide, not per pool, change without
//     the pool changing, and kubectl users and dashboards compare this
//     column with Spiderpool's. A reserved IP is never allocated, so it
//     shows as free but unusable, as in Spiderpool;
//   - allocatedIPCount: the number of records in status.allocatedIPs,
//     recounted every time (Spiderpool #3771: a count kept by increments
//     drifts).
func poolCounts(pool *spiderpoolv2beta1.SpiderIPPool) (counts, error) {
	v, err := ipVersion(pool.Spec.IPVersion, pool.Spec.Subnet)
	if err != nil {
		return counts{}, err
	}
	total, err := allocator.TotalIPCount(v, pool.Spec.IPs, pool.Spec.ExcludeIPs)
	if err != nil {
		return counts{}, fmt.Errorf("totalIPCount: %w", err)
	}
	records, err := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
	if err != nil {
		return counts{}, err
	}
	return counts{total: total, allocated: int64(len(records))}, nil
}

// subnetCounts returns what a subnet's status counts must be: totalIPCount
// as for a pool, and allocatedIPCount the number of distinct subnet IPs
// recorded for its pools in status.controlledIPPools.
func subnetCounts(subnet *spiderpoolv2beta1.SpiderSubnet) (counts, error) {
	v, err := ipVersion(subnet.Spec.IPVersion, subnet.Spec.Subnet)
	if err != nil {
		return counts{}, err
	}
	total, err := allocator.TotalIPCount(v, subnet.Spec.IPs, subnet.Spec.ExcludeIPs)
	if err != nil {
		return counts{}, fmt.Errorf("totalIPCount: %w", err)
	}
	pools, err := spiderpoolv2beta1.ParseControlledIPPools(subnet.Status.ControlledIPPools)
	if err != nil {
		return counts{}, err
	}
	var ips []string
	for _, p := range pools {
		ips = append(ips, p.IPs...)
	}
	used, err := allocator.ParseSet(v, ips)
	if err != nil {
		return counts{}, fmt.Errorf("controlledIPPools: %w", err)
	}
	return counts{total: total, allocated: used.CountInt64()}, nil
}

// ipVersion is spec.ipVersion, or the family of spec.subnet when the
// mutating webhook has not set it (the webhook may be down: objects are
// still admitted).
func ipVersion(specVersion *int64, subnet string) (allocator.IPVersion, error) {
	if specVersion != nil {
		v := allocator.IPVersion(*specVersion)
		if !v.Valid() {
			return 0, fmt.Errorf("spec.ipVersion %d: %w", *specVersion, allocator.ErrInvalidVersion)
		}
		return v, nil
	}
	prefix, err := allocator.ParseCanonicalCIDR(subnet)
	if err != nil {
		return 0, fmt.Errorf("spec.subnet: %w", err)
	}
	return allocator.VersionOf(prefix.Addr()), nil
}
