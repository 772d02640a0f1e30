// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"fmt"
	"net/netip"

	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// parseAddrOf parses an address of the family of subnet, returning a reason
// (with the fix) when it is not one.
func parseAddrOf(subnet netip.Prefix, s string) (netip.Addr, string) {
	v := allocator.VersionOf(subnet.Addr())
	a, err := netip.ParseAddr(s)
	switch {
	case err != nil || a.Zone() != "":
		return netip.Addr{}, fmt.Sprintf("is not an IP address; use an IPv%d address of spec.subnet %s, e.g. %q",
			v, subnet, exampleAddr(subnet))
	case allocator.VersionOf(a) != v:
		return netip.Addr{}, fmt.Sprintf("is not an IPv%d address; use an address of spec.subnet %s, e.g. %q",
			v, subnet, exampleAddr(subnet))
	}
	return a, ""
}

// exampleAddr is an address of subnet for messages: the first after the
// network address when there is one.
func exampleAddr(subnet netip.Prefix) string {
	if next := subnet.Addr().Next(); subnet.Contains(next) {
		return next.String()
	}
	return subnet.Addr().String()
}

// validateGateway checks spec.gateway: an address of the subnet that the
// pool never hands out (docs/reference/interface.md §2.2).
func (p *parsedSpec) validateGateway(gw *string, path *field.Path) field.ErrorList {
	if gw == nil {
		return nil
	}
	a, reason := parseAddrOf(p.prefix, *gw)
	if reason != "" {
		return field.ErrorList{field.Invalid(path, *gw, reason)}
	}
	if !p.prefix.Contains(a) {
		return field.ErrorList{field.Invalid(path, *gw, fmt.Sprintf(
			"is outside spec.subnet %s; use an address of the subnet, e.g. %q, or remove spec.gateway",
			p.prefix, exampleAddr(p.prefix)))}
	}
	if !p.usable.Contains(a) {
		return nil
	}
	for _, e := range p.entries {
		if e.set.Contains(a) {
			return field.ErrorList{field.Invalid(path, *gw, fmt.Sprintf(
				"is inside spec.ips[%d] (%q), so it would be handed to a pod; add it to spec.excludeIPs or leave it out of spec.ips",
				e.index, e.text))}
		}
	}
	return nil
}

// validateRoutes checks spec.routes: each dst a CIDR of the family and not a
// default route, no dst twice, each gw inside the subnet.
func validateRoutes(v allocator.IPVersion, subnet netip.Prefix, routes []spiderpoolv2beta1.Route, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := make(map[netip.Prefix]int, len(routes))
	for i, r := range routes {
		dst, dstErrs := validateRouteDst(v, r.Dst, path.Index(i).Child("dst"))
		errs = append(errs, dstErrs...)
		if dst.IsValid() {
			if j, dup := seen[dst]; dup {
				errs = append(errs, field.Invalid(path.Index(i).Child("dst"), r.Dst, fmt.Sprintf(
					"is the destination of spec.routes[%d] too; keep one route per destination", j)))
			} else {
				seen[dst] = i
			}
		}
		errs = append(errs, validateRouteGw(subnet, r.Gw, path.Index(i).Child("gw"))...)
	}
	return errs
}

// validateRouteDst checks one dst and returns it masked, or the zero Prefix.
func validateRouteDst(v allocator.IPVersion, s string, path *field.Path) (netip.Prefix, field.ErrorList) {
	dst, err := netip.ParsePrefix(s)
	switch {
	case s == "":
		return netip.Prefix{}, field.ErrorList{field.Required(path, fmt.Sprintf(
			"set the destination network of the route, e.g. %s", exampleCIDR(v)))}
	case err != nil:
		return netip.Prefix{}, field.ErrorList{field.Invalid(path, s, fmt.Sprintf(
			"is not a CIDR; expected an IPv%d network like %s", v, exampleCIDR(v)))}
	case allocator.VersionOf(dst.Addr()) != v:
		return netip.Prefix{}, field.ErrorList{field.Invalid(path, s, fmt.Sprintf(
			"is not an IPv%d network, the family of spec.subnet; use an IPv%d destination like %s", v, v, exampleCIDR(v)))}
	case dst.Bits() == 0:
		return netip.Prefix{}, field.ErrorList{field.Invalid(path, s,
			"is a default route, which spec.gateway already provides; set spec.gateway instead")}
	}
	return dst.Masked(), nil
}

// validateRouteGw checks one gw: an address of the subnet.
func validateRouteGw(subnet netip.Prefix, s string, path *field.Path) field.ErrorList {
	if s == "" {
		return field.ErrorList{field.Required(path, fmt.Sprintf(
			"set the next hop of the route, an address of spec.subnet %s", subnet))}
	}
	gw, reason := parseAddrOf(subnet, s)
	if reason != "" {
		return field.ErrorList{field.Invalid(path, s, reason)}
	}
	if !subnet.Contains(gw) {
		return field.ErrorList{field.Invalid(path, s, fmt.Sprintf(
			"is outside spec.subnet %s, so it is not reachable; use a next hop inside the subnet, e.g. %q",
			subnet, exampleAddr(subnet)))}
	}
	return nil
}

// exampleCIDR is a network of family v for messages.
func exampleCIDR(v allocator.IPVersion) string {
	if v == allocator.IPv4 {
		return `"10.7.0.0/16"`
	}
	return `"fd00:7::/64"`
}
