// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"fmt"
	"net/netip"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// allocatedIP is one entry of status.allocatedIPs.
type allocatedIP struct {
	addr   netip.Addr
	holder string // "<namespace>/<name>"
}

// describe formats the entry for messages: "10.6.0.10 (pod default/nginx)".
func (a allocatedIP) describe() string {
	return fmt.Sprintf("%s (pod %s)", a.addr, a.holder)
}

// allocatedIPs decodes status.allocatedIPs sorted by address. Keys that are
// not addresses cannot be in any pool and are left out.
func allocatedIPs(pool *spiderpoolv2beta1.SpiderIPPool) ([]allocatedIP, error) {
	records, err := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
	if err != nil {
		return nil, err
	}
	out := make([]allocatedIP, 0, len(records))
	for ip, rec := range records {
		if a, err := netip.ParseAddr(ip); err == nil {
			out = append(out, allocatedIP{addr: a, holder: rec.NamespacedName})
		}
	}
	slices.SortFunc(out, func(a, b allocatedIP) int { return a.addr.Compare(b.addr) })
	return out, nil
}

// describeAllocated lists the first entries of list.
func describeAllocated(list []allocatedIP) string {
	items := make([]string, 0, maxListed)
	for _, a := range list[:min(len(list), maxListed)] {
		items = append(items, a.describe())
	}
	return listSome(items, len(list))
}

// validateAllocatedKept checks that the updated pool still hands out every
// IP allocated now (old's status is the stored one; the request's status
// is ignored by the API server anyway).
func validateAllocatedKept(old *spiderpoolv2beta1.SpiderIPPool, p *parsedSpec) field.ErrorList {
	allocated, err := allocatedIPs(old)
	if err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("status", "allocatedIPs"),
			fmt.Errorf("cannot tell which allocated IPs the update removes: %w; %s", err, repairStatus))}
	}
	var removed, excluded []allocatedIP
	for _, a := range allocated {
		switch {
		case p.usable.Contains(a.addr):
		case p.ips.Contains(a.addr):
			excluded = append(excluded, a)
		default:
			removed = append(removed, a)
		}
	}
	var errs field.ErrorList
	if len(removed) > 0 {
		errs = append(errs, field.Forbidden(specPath.Child("ips"), fmt.Sprintf(
			"the update removes %s, still allocated; keep them in spec.ips, or delete those pods first",
			describeAllocated(removed))))
	}
	if len(excluded) > 0 {
		errs = append(errs, field.Forbidden(specPath.Child("excludeIPs"), fmt.Sprintf(
			"the update excludes %s, still allocated; take them out of spec.excludeIPs, or delete those pods first",
			describeAllocated(excluded))))
	}
	return errs
}
