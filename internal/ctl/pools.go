// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"fmt"
	"net/netip"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// PoolRow is one line of "pool list".
type PoolRow struct {
	// Name is the pool's name.
	Name string `json:"name"`
	// IPVersion is spec.ipVersion, or the family of spec.subnet.
	IPVersion int64 `json:"ipVersion"`
	// Subnet is spec.subnet.
	Subnet string `json:"subnet"`
	// Used is the number of records in status.allocatedIPs.
	Used int64 `json:"used"`
	// Free is the number of addresses the allocator may still hand out:
	// ips − excludeIPs − SpiderReservedIPs − allocated.
	Free int64 `json:"free"`
	// Total is status.totalIPCount as the controller computes it: ips −
	// excludeIPs (reserved IPs are not subtracted, as in Spiderpool).
	Total int64 `json:"total"`
	// Reserved is the number of the pool's addresses (ips − excludeIPs)
	// that SpiderReservedIPs hold back.
	Reserved int64 `json:"reserved"`
	// Default is spec.default.
	Default bool `json:"default"`
	// Disabled is spec.disable.
	Disabled bool `json:"disabled"`
	// Terminating says the pool is being deleted.
	Terminating bool `json:"terminating"`
	// Application is the application a SpiderSubnet auto-created pool
	// belongs to, "<Kind> <namespace>/<name>"; empty for other pools.
	Application string `json:"application,omitempty"`
	// Error says why the counts could not be computed, if so.
	Error string `json:"error,omitempty"`
}

// PoolList is the report of "pool list".
type PoolList struct {
	// Pools are the rows, by name.
	Pools []PoolRow `json:"pools"`
}

// ListPools computes a row per pool of s.
func ListPools(s *Snapshot) PoolList {
	reserved := reservedByVersion(s.Reserved)
	out := PoolList{Pools: make([]PoolRow, 0, len(s.Pools))}
	for i := range s.Pools {
		out.Pools = append(out.Pools, poolRow(&s.Pools[i], reserved))
	}
	return out
}

// poolRow fills the row of one pool; a pool whose spec or records do not
// parse gets its error in the row, not a failure of the whole list.
func poolRow(p *spiderpoolv2beta1.SpiderIPPool, reserved map[allocator.IPVersion][]string) PoolRow {
	row := PoolRow{
		Name: p.Name, Subnet: p.Spec.Subnet,
		Default:     p.Spec.Default != nil && *p.Spec.Default,
		Disabled:    p.Spec.Disable != nil && *p.Spec.Disable,
		Terminating: p.DeletionTimestamp != nil,
		Application: poolApplication(p),
	}
	if err := fillCounts(&row, p, reserved); err != nil {
		row.Error = err.Error()
	}
	return row
}

// fillCounts computes the counts with the allocator's own code: the usable
// set it allocates from, restored with the pool's records.
func fillCounts(row *PoolRow, p *spiderpoolv2beta1.SpiderIPPool, reserved map[allocator.IPVersion][]string) error {
	v, err := poolVersion(p)
	if err != nil {
		return err
	}
	row.IPVersion = int64(v)
	if row.Total, err = allocator.TotalIPCount(v, p.Spec.IPs, p.Spec.ExcludeIPs); err != nil {
		return err
	}
	spec := allocator.PoolSpec{Version: v, IPs: p.Spec.IPs, ExcludeIPs: p.Spec.ExcludeIPs, ReservedIPs: reserved[v]}
	usable, err := spec.Usable()
	if err != nil {
		return err
	}
	row.Reserved = row.Total - usable.CountInt64()
	records, err := poolRecords(p)
	if err != nil {
		return err
	}
	row.Used = int64(len(records))
	addrs := make([]netip.Addr, 0, len(records))
	for _, r := range records {
		a, err := ParseIP(r.IP)
		if err != nil {
			return fmt.Errorf("record %q: %w", r.IP, err)
		}
		addrs = append(addrs, a)
	}
	pool := allocator.NewPoolFromSet(usable)
	if err := pool.Restore(addrs); err != nil {
		return err
	}
	row.Free, err = pool.Free()
	return err
}

// poolVersion is spec.ipVersion, or the family of spec.subnet when unset.
func poolVersion(p *spiderpoolv2beta1.SpiderIPPool) (allocator.IPVersion, error) {
	return specVersion(p.Spec.IPVersion, p.Spec.Subnet)
}

// reservedByVersion gathers the ranges of the SpiderReservedIPs that are
// not being deleted, per family, as the agent does.
func reservedByVersion(list []spiderpoolv2beta1.SpiderReservedIP) map[allocator.IPVersion][]string {
	out := map[allocator.IPVersion][]string{}
	for i := range list {
		r := &list[i]
		if r.DeletionTimestamp != nil || r.Spec.IPVersion == nil {
			continue
		}
		v := allocator.IPVersion(*r.Spec.IPVersion)
		out[v] = append(out[v], r.Spec.IPs...)
	}
	return out
}
