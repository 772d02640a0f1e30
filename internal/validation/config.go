// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// Config holds the switches of ConfigMap spiderpool-conf that the rules
// depend on (docs/reference/interface.md §4.1).
type Config struct {
	// EnableIPv4 allows IPv4 pools, subnets and reserved IPs.
	EnableIPv4 bool
	// EnableIPv6 allows IPv6 pools, subnets and reserved IPs.
	EnableIPv6 bool
	// EnableSpiderSubnet turns on the SpiderSubnet rules: a pool owned by a
	// subnet must stay inside it.
	EnableSpiderSubnet bool
}

// familyEnabled reports whether the cluster allows family v.
func (c Config) familyEnabled(v allocator.IPVersion) bool {
	switch v {
	case allocator.IPv4:
		return c.EnableIPv4
	case allocator.IPv6:
		return c.EnableIPv6
	}
	return false
}

// validateVersion checks an ipVersion field: set, 4 or 6, and enabled in
// the cluster. derivedFrom names the field the mutating webhook derives it
// from, for the message when it is missing.
func validateVersion(v *int64, path *field.Path, cfg Config, derivedFrom string) (allocator.IPVersion, field.ErrorList) {
	if v == nil {
		return 0, field.ErrorList{field.Required(path, "the mutating webhook derives it from "+derivedFrom+
			"; set it to 4 or 6, or fix "+derivedFrom)}
	}
	version := allocator.IPVersion(*v)
	if !version.Valid() {
		return 0, field.ErrorList{field.NotSupported(path, *v, []string{"4", "6"})}
	}
	if !cfg.familyEnabled(version) {
		key := fmt.Sprintf("enableIPv%d", version)
		return 0, field.ErrorList{field.Invalid(path, *v, fmt.Sprintf(
			"IPv%d is disabled in this cluster (%s: false in ConfigMap spiderpool-conf); use the other IP family or set %s: true",
			version, key, key))}
	}
	return version, nil
}
