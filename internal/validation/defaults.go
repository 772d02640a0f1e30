// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"net/netip"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// DefaultIPPool fills in what the mutating webhook adds to a pool
// (docs/reference/behaviour.md §6.1): the finalizer, ipVersion derived from
// subnet, the ipam.spidernet.io/ippool-cidr label, and ips and excludeIPs
// merged into sorted minimal ranges when more than one entry is given. Like
// every Default function here it leaves a terminating object alone: changing
// its spec would make the update that removes its finalizer fail.
func DefaultIPPool(pool *spiderpoolv2beta1.SpiderIPPool) {
	if pool.DeletionTimestamp != nil {
		return
	}
	defaultAddressSpec(pool, spiderpoolv2beta1.LabelIPPoolCIDR, addressFields{
		version: &pool.Spec.IPVersion, subnet: pool.Spec.Subnet, ips: &pool.Spec.IPs, excludeIPs: &pool.Spec.ExcludeIPs,
	})
}

// DefaultSubnet fills in what the mutating webhook adds to a subnet
// (docs/reference/behaviour.md §6.2): as DefaultIPPool, with the
// ipam.spidernet.io/subnet-cidr label.
func DefaultSubnet(subnet *spiderpoolv2beta1.SpiderSubnet) {
	if subnet.DeletionTimestamp != nil {
		return
	}
	defaultAddressSpec(subnet, spiderpoolv2beta1.LabelSubnetCIDR, addressFields{
		version: &subnet.Spec.IPVersion, subnet: subnet.Spec.Subnet, ips: &subnet.Spec.IPs, excludeIPs: &subnet.Spec.ExcludeIPs,
	})
}

// addressFields points at the fields pools and subnets share.
type addressFields struct {
	version         **int64
	subnet          string
	ips, excludeIPs *[]string
}

// defaultAddressSpec is the defaulting pools and subnets share: finalizer,
// derived ipVersion, CIDR label and merged ranges.
func defaultAddressSpec(obj client.Object, cidrLabel string, spec addressFields) {
	addFinalizer(obj)
	v := defaultVersion(spec.version, spec.subnet)
	setCIDRLabel(obj, cidrLabel, spec.subnet)
	*spec.ips = mergeMany(v, *spec.ips)
	*spec.excludeIPs = mergeMany(v, *spec.excludeIPs)
}

// DefaultReservedIP fills in what the mutating webhook adds to a
// SpiderReservedIP (docs/reference/behaviour.md §6.3): ipVersion derived
// from ips[0] and ips merged. It adds no finalizer, as Spiderpool adds none.
func DefaultReservedIP(rip *spiderpoolv2beta1.SpiderReservedIP) {
	if rip.DeletionTimestamp != nil {
		return
	}
	if rip.Spec.IPVersion == nil && len(rip.Spec.IPs) > 0 {
		first, _, _ := strings.Cut(rip.Spec.IPs[0], "-")
		if a, err := netip.ParseAddr(first); err == nil && allocator.VersionOf(a).Valid() {
			v := int64(allocator.VersionOf(a))
			rip.Spec.IPVersion = &v
		}
	}
	rip.Spec.IPs = mergeMany(allocator.IPVersion(deref(rip.Spec.IPVersion)), rip.Spec.IPs)
}

// defaultVersion sets *v from the family of subnet when it is unset, and
// returns the version, 0 when neither is usable.
func defaultVersion(v **int64, subnet string) allocator.IPVersion {
	if *v == nil {
		p, err := netip.ParsePrefix(subnet)
		if got := allocator.VersionOf(p.Addr()); err == nil && got.Valid() {
			version := int64(got)
			*v = &version
		}
	}
	return allocator.IPVersion(deref(*v))
}

// setCIDRLabel sets label key to the label form of subnet. A subnet that is
// not a CIDR, or whose label form is not a valid label value (such as
// "::/64"), gets no label: the API server would refuse the object for the
// label before the validating webhook could name the real problem.
func setCIDRLabel(obj metav1.Object, key, subnet string) {
	if _, err := netip.ParsePrefix(subnet); err != nil {
		return
	}
	value := allocator.CIDRToLabelValue(subnet)
	if len(validation.IsValidLabelValue(value)) == 0 {
		setLabel(obj, key, value)
	}
}

// mergeMany merges a list of more than one range into sorted, minimal
// ranges, in O(ranges). A list that does not parse is kept as it is, for
// the validating webhook to report by index.
func mergeMany(v allocator.IPVersion, list []string) []string {
	if len(list) < 2 || !v.Valid() {
		return list
	}
	merged, err := allocator.MergeRanges(v, list)
	if err != nil {
		return list
	}
	return merged
}

// SubnetFor returns the SpiderSubnet of pool's subnet among subnets: the
// one with the same spec.subnet that is not being deleted, or nil.
func SubnetFor(pool *spiderpoolv2beta1.SpiderIPPool, subnets []spiderpoolv2beta1.SpiderSubnet) *spiderpoolv2beta1.SpiderSubnet {
	for i := range subnets {
		s := &subnets[i]
		if s.Spec.Subnet == pool.Spec.Subnet && s.DeletionTimestamp == nil {
			return s
		}
	}
	return nil
}

// InheritFromSubnet makes subnet the controller of pool, as the mutating
// webhook does when the subnet feature is on
// (docs/reference/behaviour.md §6.1): a controller owner reference, the
// owner-spider-subnet label, and the subnet's gateway and routes when the
// pool sets none (an explicitly empty routes list is kept). A pool
// controlled by another object, or terminating, is left alone.
func InheritFromSubnet(pool *spiderpoolv2beta1.SpiderIPPool, subnet *spiderpoolv2beta1.SpiderSubnet) {
	ref := metav1.GetControllerOf(pool)
	if (ref != nil && ref.UID != subnet.UID) || pool.DeletionTimestamp != nil {
		return
	}
	if ref == nil {
		gvk := spiderpoolv2beta1.GroupVersion.WithKind(spiderpoolv2beta1.KindSpiderSubnet)
		pool.OwnerReferences = append(pool.OwnerReferences, *metav1.NewControllerRef(subnet, gvk))
	}
	setLabel(pool, spiderpoolv2beta1.LabelOwnerSpiderSubnet, subnet.Name)
	if pool.Spec.Gateway == nil && subnet.Spec.Gateway != nil {
		gw := *subnet.Spec.Gateway
		pool.Spec.Gateway = &gw
	}
	if pool.Spec.Routes == nil && subnet.Spec.Routes != nil {
		pool.Spec.Routes = slices.Clone(subnet.Spec.Routes)
	}
}
