// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// validatePoolSubnetOverlaps checks that no other pool of the family has a
// subnet that overlaps this one without being equal to it
// (docs/reference/behaviour.md §6.1 rule 3): pools share a subnet exactly or
// not at all.
func validatePoolSubnetOverlaps(name string, p *parsedSpec, pools []spiderpoolv2beta1.SpiderIPPool) field.ErrorList {
	var conflicts []string
	for i := range pools {
		other := &pools[i]
		if other.Name == name {
			continue
		}
		op, ok := lenientPrefix(p.version, other.Spec.Subnet)
		if ok && op != p.prefix && op.Overlaps(p.prefix) {
			conflicts = append(conflicts, fmt.Sprintf("%s (%s)", describePool(other.Name), op))
		}
	}
	if len(conflicts) == 0 {
		return nil
	}
	return field.ErrorList{field.Invalid(specPath.Child("subnet"), p.prefix.String(), fmt.Sprintf(
		"overlaps the subnet of %s; pools whose subnets overlap must use exactly the same subnet, so use that subnet or one that overlaps none",
		listSome(conflicts, len(conflicts))))}
}

// validatePoolIPOverlaps checks that the IPs this pool hands out are handed
// out by no other pool of the same subnet (rule 4). Each spec.ips entry
// that shares addresses is reported with the pools it shares them with.
func validatePoolIPOverlaps(name string, p *parsedSpec, pools []spiderpoolv2beta1.SpiderIPPool) field.ErrorList {
	conflicts := make(map[int][]string) // spec.ips index -> descriptions
	for i := range pools {
		other := &pools[i]
		if op, ok := lenientPrefix(p.version, other.Spec.Subnet); other.Name == name || !ok || op != p.prefix {
			continue
		}
		theirs := lenientUsable(p.version, other.Spec.IPs, other.Spec.ExcludeIPs)
		if !p.usable.Overlaps(theirs) {
			continue
		}
		for _, e := range p.entries {
			if e.set.Subtract(p.exclude).Overlaps(theirs) {
				conflicts[e.index] = append(conflicts[e.index], fmt.Sprintf("%s (%s)",
					describePool(other.Name), describeSet(overlappingRanges(theirs, e.r))))
			}
		}
	}
	return entryConflicts(p, conflicts, func(others string) string {
		return fmt.Sprintf("overlaps %s in subnet %s; pick addresses outside it, or add the shared ones to spec.excludeIPs", others, p.prefix)
	})
}

// entryConflicts turns per-entry conflict descriptions into errors on
// spec.ips[i], in spec order.
func entryConflicts(p *parsedSpec, conflicts map[int][]string, detail func(others string) string) field.ErrorList {
	var errs field.ErrorList
	for _, e := range p.entries {
		if c := conflicts[e.index]; len(c) > 0 {
			errs = append(errs, field.Invalid(specPath.Child("ips").Index(e.index), e.text, detail(listSome(c, len(c)))))
		}
	}
	return errs
}

// validatePoolInSubnet checks a pool against the SpiderSubnet that controls
// it (docs/reference/behaviour.md §5.7): same subnet, every IP it hands out
// inside the subnet's usable IPs, and for an auto-created pool exactly the
// IPs the subnet pre-allocated to it.
func validatePoolInSubnet(pool *spiderpoolv2beta1.SpiderIPPool, p *parsedSpec, subnet *spiderpoolv2beta1.SpiderSubnet) field.ErrorList {
	if sp, ok := lenientPrefix(p.version, subnet.Spec.Subnet); !ok || sp != p.prefix {
		return field.ErrorList{field.Invalid(specPath.Child("subnet"), pool.Spec.Subnet, fmt.Sprintf(
			"differs from subnet %s of SpiderSubnet %q, which controls this pool; fix the pool's ownerReferences or use that subnet",
			subnet.Spec.Subnet, subnet.Name))}
	}
	theirs := lenientUsable(p.version, subnet.Spec.IPs, subnet.Spec.ExcludeIPs)
	var errs field.ErrorList
	if !p.usable.Subtract(theirs).IsEmpty() {
		errs = append(errs, outsideSubnet(p, subnet.Name, theirs)...)
	}
	if IsAutoPool(pool) {
		errs = append(errs, validateAutoPoolIPs(pool.Name, p, subnet)...)
	}
	return errs
}

// outsideSubnet reports the spec.ips entries that hand out addresses the
// subnet does not offer.
func outsideSubnet(p *parsedSpec, subnet string, theirs *allocator.Set) field.ErrorList {
	var errs field.ErrorList
	for _, e := range p.entries {
		missing := e.set.Subtract(p.exclude).Subtract(theirs)
		if missing.IsEmpty() {
			continue
		}
		errs = append(errs, field.Invalid(specPath.Child("ips").Index(e.index), e.text, fmt.Sprintf(
			"%s not in SpiderSubnet %q, which controls this pool (it offers %s); use addresses the subnet offers, or add these to its spec.ips first",
			describeSet(missing), subnet, describeSet(theirs))))
	}
	return errs
}

// validateAutoPoolIPs checks that an auto-created pool holds exactly what
// its subnet's status.controlledIPPools records for it: users cannot edit
// those IPs by hand.
func validateAutoPoolIPs(name string, p *parsedSpec, subnet *spiderpoolv2beta1.SpiderSubnet) field.ErrorList {
	path := specPath.Child("ips")
	records, err := spiderpoolv2beta1.ParseControlledIPPools(subnet.Status.ControlledIPPools)
	if err != nil {
		return field.ErrorList{field.InternalError(path, fmt.Errorf(
			"SpiderSubnet %q: %w; %s", subnet.Name, err, repairStatus))}
	}
	record, ok := records[name]
	if !ok {
		return field.ErrorList{field.Forbidden(path, fmt.Sprintf(
			"SpiderSubnet %q has pre-allocated no IPs to this auto-created pool (spec.ips holds %s); spiderpool-controller sets them, size the pool with the %s annotation of its application",
			subnet.Name, describeSet(p.ips), spiderpoolv2beta1.AnnoPoolIPNumber))}
	}
	want := lenientSet(p.version, record.IPs)
	if want.Equal(p.ips) {
		return nil
	}
	return field.ErrorList{field.Forbidden(path, fmt.Sprintf(
		"an auto-created pool holds exactly the IPs SpiderSubnet %q pre-allocated to it (%s), not %s; set spec.ips back, or change its size with the %s annotation of its application instead",
		subnet.Name, describeSet(want), describeSet(p.ips), spiderpoolv2beta1.AnnoPoolIPNumber))}
}
