// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// SubnetEnv holds what a SpiderSubnet is checked against.
type SubnetEnv struct {
	// Config holds the cluster switches.
	Config Config
	// Subnets are the subnets of the cluster; the one under review, found
	// by name, is skipped.
	Subnets []spiderpoolv2beta1.SpiderSubnet
	// Pools are the pools of the cluster, checked when a subnet is created.
	Pools []spiderpoolv2beta1.SpiderIPPool
}

// ValidateSubnet checks a subnet being created
// (docs/reference/behaviour.md §6.2, §5.7): the address rules of pools, no
// overlap with another subnet, and the existing pools it would take over fit
// in it.
func ValidateSubnet(subnet *spiderpoolv2beta1.SpiderSubnet, env SubnetEnv) field.ErrorList {
	p, errs := validateAddressSpec(subnetAddressSpec(&subnet.Spec), env.Config)
	if p == nil {
		return errs
	}
	errs = append(errs, validateSubnetOverlaps(subnet.Name, p, env.Subnets)...)
	return append(errs, validateOrphanPools(p, subnet.Spec.IPs, env.Pools)...)
}

// ValidateSubnetUpdate checks an update from old to subnet: the address
// rules, no overlap with another subnet, immutable ipVersion and subnet, no
// spec change while terminating, and every IP pre-allocated to a pool still
// offered. An update that leaves the spec alone is accepted.
func ValidateSubnetUpdate(old, subnet *spiderpoolv2beta1.SpiderSubnet, env SubnetEnv) field.ErrorList {
	if SpecUnchanged(old.Spec, subnet.Spec) {
		return nil
	}
	kind := spiderpoolv2beta1.KindSpiderSubnet
	errs := validateNotTerminating(subnet, kind)
	errs = append(errs, validateImmutableVersion(old.Spec.IPVersion, subnet.Spec.IPVersion, kind)...)
	errs = append(errs, validateImmutableSubnet(old.Spec.Subnet, subnet.Spec.Subnet, kind)...)
	p, specErrs := validateAddressSpec(subnetAddressSpec(&subnet.Spec), env.Config)
	errs = append(errs, specErrs...)
	if p == nil {
		return errs
	}
	errs = append(errs, validateSubnetOverlaps(subnet.Name, p, env.Subnets)...)
	return append(errs, validatePreAllocationsKept(old, p)...)
}

// validateSubnetOverlaps checks that no other subnet of the family overlaps
// this one; unlike pools, two subnets may not even be equal.
func validateSubnetOverlaps(name string, p *parsedSpec, subnets []spiderpoolv2beta1.SpiderSubnet) field.ErrorList {
	var conflicts []string
	for i := range subnets {
		other := &subnets[i]
		if other.Name == name {
			continue
		}
		if op, ok := lenientPrefix(p.version, other.Spec.Subnet); ok && op.Overlaps(p.prefix) {
			conflicts = append(conflicts, fmt.Sprintf("SpiderSubnet %q (%s)", other.Name, op))
		}
	}
	if len(conflicts) == 0 {
		return nil
	}
	return field.ErrorList{field.Invalid(specPath.Child("subnet"), p.prefix.String(), fmt.Sprintf(
		"overlaps %s; subnets must not overlap, so pick another network or add the IPs to that subnet's spec.ips",
		listSome(conflicts, len(conflicts))))}
}

// validateOrphanPools checks the pools the new subnet would take over:
// a pool whose subnet overlaps without being equal blocks it, and a pool of
// the same subnet must hand out only IPs the subnet offers.
func validateOrphanPools(p *parsedSpec, ips []string, pools []spiderpoolv2beta1.SpiderIPPool) field.ErrorList {
	var overlapping, outside []string
	for i := range pools {
		pool := &pools[i]
		op, ok := lenientPrefix(p.version, pool.Spec.Subnet)
		switch {
		case !ok || !op.Overlaps(p.prefix):
		case op != p.prefix:
			overlapping = append(overlapping, fmt.Sprintf("%s (%s)", describePool(pool.Name), op))
		default:
			missing := lenientUsable(p.version, pool.Spec.IPs, pool.Spec.ExcludeIPs).Subtract(p.usable)
			if !missing.IsEmpty() {
				outside = append(outside, fmt.Sprintf("%s of %s", describeSet(missing), describePool(pool.Name)))
			}
		}
	}
	var errs field.ErrorList
	if len(overlapping) > 0 {
		errs = append(errs, field.Invalid(specPath.Child("subnet"), p.prefix.String(), fmt.Sprintf(
			"overlaps the subnet of %s without being equal to it; use exactly the pool's subnet, or another network",
			listSome(overlapping, len(overlapping)))))
	}
	if len(outside) > 0 {
		errs = append(errs, field.Invalid(specPath.Child("ips"), strings.Join(ips, ","), fmt.Sprintf(
			"does not offer %s, which already exist in this subnet; add them to spec.ips and keep them out of spec.excludeIPs",
			listSome(outside, len(outside)))))
	}
	return errs
}

// validatePreAllocationsKept checks that the updated subnet still offers
// every IP its status.controlledIPPools gives to a pool.
func validatePreAllocationsKept(old *spiderpoolv2beta1.SpiderSubnet, p *parsedSpec) field.ErrorList {
	records, err := spiderpoolv2beta1.ParseControlledIPPools(old.Status.ControlledIPPools)
	if err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("status", "controlledIPPools"),
			fmt.Errorf("cannot tell which pre-allocated IPs the update removes: %w; %s", err, repairStatus))}
	}
	var lost []string
	for _, name := range sortedKeys(records) {
		missing := lenientSet(p.version, records[name].IPs).Subtract(p.usable)
		if !missing.IsEmpty() {
			lost = append(lost, fmt.Sprintf("%s of %s", describeSet(missing), describePool(name)))
		}
	}
	if len(lost) == 0 {
		return nil
	}
	return field.ErrorList{field.Forbidden(specPath.Child("ips"), fmt.Sprintf(
		"the update takes away %s, pre-allocated from this subnet; keep them in spec.ips and out of spec.excludeIPs, or shrink or delete those pools first",
		listSome(lost, len(lost))))}
}
