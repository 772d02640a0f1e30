// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// coordinatorModes are the accepted values of mode: the CRD enum plus the
// spelling the plugin understands (docs/compatibility.md #4).
var coordinatorModes = []string{
	spiderpoolv2beta1.CoordinatorModeAuto, spiderpoolv2beta1.CoordinatorModeUnderlay,
	spiderpoolv2beta1.CoordinatorModeOverlay, spiderpoolv2beta1.CoordinatorModeDisabled,
	spiderpoolv2beta1.CoordinatorModeDisable,
}

// podCIDRTypes are the accepted values of podCIDRType.
var podCIDRTypes = []string{
	spiderpoolv2beta1.PodCIDRTypeAuto, spiderpoolv2beta1.PodCIDRTypeCluster, spiderpoolv2beta1.PodCIDRTypeCalico,
	spiderpoolv2beta1.PodCIDRTypeCilium, spiderpoolv2beta1.PodCIDRTypeNone,
}

// ValidateCoordinator checks a SpiderCoordinator being created
// (docs/reference/behaviour.md §6.4): podCIDRType is required, then the spec
// rules.
func ValidateCoordinator(c *spiderpoolv2beta1.SpiderCoordinator) field.ErrorList {
	var errs field.ErrorList
	if c.Spec.PodCIDRType == nil {
		errs = append(errs, field.Required(specPath.Child("podCIDRType"),
			"set it to auto (detect the cluster's CNI), cluster, calico, cilium or none"))
	}
	return append(errs, ValidateCoordinatorSpec(&c.Spec, specPath)...)
}

// ValidateCoordinatorUpdate checks an update from old to c: the create
// rules and no spec change while terminating.
func ValidateCoordinatorUpdate(old, c *spiderpoolv2beta1.SpiderCoordinator) field.ErrorList {
	if SpecUnchanged(old.Spec, c.Spec) {
		return nil
	}
	errs := validateNotTerminating(c, spiderpoolv2beta1.KindSpiderCoordinator)
	return append(errs, ValidateCoordinator(c)...)
}

// ValidateCoordinatorSpec checks a coordinator spec found at path: the spec
// of a SpiderCoordinator, or spec.coordinator of a SpiderMultusConfig, where
// podCIDRType may be left out (docs/reference/interface.md §6.2).
func ValidateCoordinatorSpec(spec *spiderpoolv2beta1.CoordinatorSpec, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if spec.Mode != nil && !slices.Contains(coordinatorModes, *spec.Mode) {
		errs = append(errs, field.NotSupported(path.Child("mode"), *spec.Mode, coordinatorModes))
	}
	if spec.PodCIDRType != nil && !slices.Contains(podCIDRTypes, *spec.PodCIDRType) {
		errs = append(errs, field.NotSupported(path.Child("podCIDRType"), *spec.PodCIDRType, podCIDRTypes))
	}
	for i, s := range spec.HijackCIDR {
		if !isIPOrCIDR(s) {
			errs = append(errs, field.Invalid(path.Child("hijackCIDR").Index(i), s,
				`is neither an IP nor a CIDR; use e.g. "10.96.0.0/12" or "169.254.25.10"`))
		}
	}
	errs = append(errs, validateMACPrefix(spec.PodMACPrefix, path.Child("podMACPrefix"))...)
	if v := spec.TxQueueLen; v != nil && *v < 0 {
		errs = append(errs, field.Invalid(path.Child("txQueueLen"), *v, "is negative; use 0 (leave it alone) or more, e.g. 1000"))
	}
	if v := spec.PodRPFilter; v != nil && *v > 2 {
		errs = append(errs, field.Invalid(path.Child("podRPFilter"), *v,
			"is not an rp_filter value; use 0, 1 or 2 (off, strict, loose), or -1 to leave rp_filter alone"))
	}
	if v := spec.VethLinkAddress; v != nil && *v != "" {
		if _, err := netip.ParseAddr(*v); err != nil {
			errs = append(errs, field.Invalid(path.Child("vethLinkAddress"), *v,
				`is not an IP address; use e.g. "169.254.100.1", or "" to disable it`))
		}
	}
	return append(errs, validatePolicyRoutes(spec.PolicyRoutes, path.Child("policyRoutes"))...)
}

// validatePolicyRoutes checks the coordinator's policy routes (Spiderpool
// v1.2.1): dst a CIDR, gw an IP address of the same family.
func validatePolicyRoutes(routes []spiderpoolv2beta1.Route, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, r := range routes {
		p := path.Index(i)
		dst, err := netip.ParsePrefix(r.Dst)
		if err != nil {
			errs = append(errs, field.Invalid(p.Child("dst"), r.Dst, `is not a CIDR; use e.g. "192.168.0.0/16"`))
		}
		gw, err := netip.ParseAddr(r.Gw)
		switch {
		case err != nil:
			errs = append(errs, field.Invalid(p.Child("gw"), r.Gw, `is not an IP address; use e.g. "10.6.0.1"`))
		case dst.IsValid() && gw.Unmap().Is4() != dst.Addr().Unmap().Is4():
			errs = append(errs, field.Invalid(p.Child("gw"), r.Gw, fmt.Sprintf(
				"is not of the IP family of dst %s; use a gateway of that family", r.Dst)))
		}
	}
	return errs
}

// isIPOrCIDR reports whether s is an IP address or a CIDR.
func isIPOrCIDR(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// validateMACPrefix checks podMACPrefix: empty, or "xx:xx" whose first
// byte is unicast (its lowest bit clear).
func validateMACPrefix(prefix *string, path *field.Path) field.ErrorList {
	if prefix == nil || *prefix == "" {
		return nil
	}
	s := *prefix
	b, err := hex.DecodeString(s[:min(len(s), 2)] + s[min(len(s), 3):])
	if len(s) != 5 || s[2] != ':' || err != nil {
		return field.ErrorList{field.Invalid(path, s, `is not two hex bytes; write it like "0a:1b", or remove it`)}
	}
	if b[0]&1 != 0 {
		return field.ErrorList{field.Invalid(path, s, fmt.Sprintf(
			"starts with the multicast byte %02x; the lowest bit of the first byte must be 0, e.g. %02x:%02x",
			b[0], b[0]&^1, b[1]))}
	}
	return nil
}
