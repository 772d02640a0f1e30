// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
)

// SubnetRow is one line of "subnet list".
type SubnetRow struct {
	// Name is the subnet's name.
	Name string `json:"name"`
	// IPVersion is spec.ipVersion, or the family of spec.subnet.
	IPVersion int64 `json:"ipVersion"`
	// Subnet is spec.subnet, the CIDR.
	Subnet string `json:"subnet"`
	// Pools names the pools the subnet controls (status.controlledIPPools).
	Pools []string `json:"pools"`
	// PreAllocated is the number of the subnet's addresses its pools have
	// taken (status.controlledIPPools), whether pods use them or not.
	PreAllocated int64 `json:"preAllocated"`
	// Used is the number of addresses pods hold in the subnet's pools.
	Used int64 `json:"used"`
	// Free is the number of addresses no pool has taken yet: Total −
	// PreAllocated, what new or growing auto-created pools can take.
	Free int64 `json:"free"`
	// Total is the subnet's addresses: ips − excludeIPs.
	Total int64 `json:"total"`
	// Terminating says the subnet is being deleted.
	Terminating bool `json:"terminating"`
	// Error says why the counts could not be computed, if so.
	Error string `json:"error,omitempty"`
}

// SubnetList is the report of "subnet list".
type SubnetList struct {
	// Subnets are the rows, by name.
	Subnets []SubnetRow `json:"subnets"`
}

// LoadSubnets lists the SpiderSubnets through r, by name.
func LoadSubnets(ctx context.Context, r client.Reader) ([]spiderpoolv2beta1.SpiderSubnet, error) {
	var list spiderpoolv2beta1.SpiderSubnetList
	if err := r.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("list SpiderSubnets: %w", err)
	}
	slices.SortFunc(list.Items, func(a, b spiderpoolv2beta1.SpiderSubnet) int { return strings.Compare(a.Name, b.Name) })
	return list.Items, nil
}

// ListSubnets computes a row per subnet; the used counts come from the
// pools of s.
func ListSubnets(subnets []spiderpoolv2beta1.SpiderSubnet, s *Snapshot) SubnetList {
	out := SubnetList{Subnets: make([]SubnetRow, 0, len(subnets))}
	for i := range subnets {
		out.Subnets = append(out.Subnets, subnetRow(&subnets[i], s))
	}
	return out
}

// subnetRow fills the row of one subnet; a subnet whose spec or status does
// not parse gets its error in the row, not a failure of the whole list.
func subnetRow(sn *spiderpoolv2beta1.SpiderSubnet, s *Snapshot) SubnetRow {
	row := SubnetRow{Name: sn.Name, Subnet: sn.Spec.Subnet, Pools: []string{}, Terminating: sn.DeletionTimestamp != nil}
	if err := fillSubnetCounts(&row, sn, s); err != nil {
		row.Error = err.Error()
	}
	return row
}

func fillSubnetCounts(row *SubnetRow, sn *spiderpoolv2beta1.SpiderSubnet, s *Snapshot) error {
	v, err := specVersion(sn.Spec.IPVersion, sn.Spec.Subnet)
	if err != nil {
		return err
	}
	row.IPVersion = int64(v)
	if row.Total, err = allocator.TotalIPCount(v, sn.Spec.IPs, sn.Spec.ExcludeIPs); err != nil {
		return err
	}
	controlled, err := spiderpoolv2beta1.ParseControlledIPPools(sn.Status.ControlledIPPools)
	if err != nil {
		return err
	}
	for name, rec := range controlled {
		row.Pools = append(row.Pools, name)
		n, err := allocator.TotalIPCount(v, rec.IPs, nil)
		if err != nil {
			return fmt.Errorf("status.controlledIPPools[%s]: %w", name, err)
		}
		row.PreAllocated += n
		if p := s.Pool(name); p != nil {
			recs, err := poolRecords(p)
			if err != nil {
				return err
			}
			row.Used += int64(len(recs))
		}
	}
	slices.Sort(row.Pools)
	row.Free = row.Total - row.PreAllocated
	return nil
}

// specVersion is ipVersion, or the family of cidr when unset.
func specVersion(ipVersion *int64, cidr string) (allocator.IPVersion, error) {
	if ipVersion != nil {
		v := allocator.IPVersion(*ipVersion)
		if !v.Valid() {
			return 0, fmt.Errorf("spec.ipVersion %d: %w", *ipVersion, allocator.ErrInvalidVersion)
		}
		return v, nil
	}
	prefix, err := allocator.ParseCanonicalCIDR(cidr)
	if err != nil {
		return 0, fmt.Errorf("spec.subnet: %w", err)
	}
	return allocator.VersionOf(prefix.Addr()), nil
}

// poolApplication names the application an auto-created pool belongs to,
// "<Kind> <namespace>/<name>" from its owner labels; "" for other pools.
func poolApplication(p *spiderpoolv2beta1.SpiderIPPool) string {
	app := autopool.AppOfPool(p)
	if app.Kind == "" || app.Name == "" {
		return ""
	}
	return app.String()
}
