// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// ValidateReservedIP checks a SpiderReservedIP being created
// (docs/reference/behaviour.md §6.3): ipVersion 4 or 6 and enabled, every
// entry an IP or a range of that version. Reserved IPs are not checked
// against pools or subnets.
func ValidateReservedIP(rip *spiderpoolv2beta1.SpiderReservedIP, cfg Config) field.ErrorList {
	version, errs := validateVersion(rip.Spec.IPVersion, specPath.Child("ipVersion"), cfg, "spec.ips[0]")
	if version == 0 {
		return errs
	}
	for i, s := range rip.Spec.IPs {
		if _, err := allocator.ParseRange(version, s); err != nil {
			errs = append(errs, field.Invalid(specPath.Child("ips").Index(i), s, err.Error()))
		}
	}
	return errs
}

// ValidateReservedIPUpdate checks an update from old to rip: the create
// rules, an immutable ipVersion, and no spec change while terminating.
func ValidateReservedIPUpdate(old, rip *spiderpoolv2beta1.SpiderReservedIP, cfg Config) field.ErrorList {
	if SpecUnchanged(old.Spec, rip.Spec) {
		return nil
	}
	kind := spiderpoolv2beta1.KindSpiderReservedIP
	errs := validateNotTerminating(rip, kind)
	errs = append(errs, validateImmutableVersion(old.Spec.IPVersion, rip.Spec.IPVersion, kind)...)
	return append(errs, ValidateReservedIP(rip, cfg)...)
}
