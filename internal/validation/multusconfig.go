// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"

	nadv1 "github.com/spiderpool-go/spiderpool/api/k8scni/v1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// MultusConfigEnv holds what a SpiderMultusConfig is checked against.
type MultusConfigEnv struct {
	// Others are the SpiderMultusConfigs of the same namespace; the one
	// under review, found by name, is skipped.
	Others []spiderpoolv2beta1.SpiderMultusConfig
	// NAD is the NetworkAttachmentDefinition named NADName(smc) in the
	// same namespace, or nil when there is none.
	NAD *nadv1.NetworkAttachmentDefinition
}

// cniBlock is one of the per-type blocks of the spec.
type cniBlock struct {
	cniType string // the cniType it serves
	field   string // its JSON key
	set     bool   // whether the spec has it
}

// cniBlocks lists the blocks of spec in a fixed order.
func cniBlocks(spec *spiderpoolv2beta1.MultusCNIConfigSpec) []cniBlock {
	return []cniBlock{
		{spiderpoolv2beta1.CNITypeMacvlan, "macvlan", spec.Macvlan != nil},
		{spiderpoolv2beta1.CNITypeIPvlan, "ipvlan", spec.IPvlan != nil},
		{spiderpoolv2beta1.CNITypeSRIOV, "sriov", spec.SRIOV != nil},
		{spiderpoolv2beta1.CNITypeOVS, "ovs", spec.OVS != nil},
		{spiderpoolv2beta1.CNITypeIBSRIOV, "ibsriov", spec.IBSRIOV != nil},
		{spiderpoolv2beta1.CNITypeIPoIB, "ipoib", spec.IPoIB != nil},
		{spiderpoolv2beta1.CNITypeVlan, "vlan", spec.Vlan != nil},
	}
}

// cniTypeOf returns spec.cniType, custom when unset (the CRD default).
func cniTypeOf(spec *spiderpoolv2beta1.MultusCNIConfigSpec) string {
	if spec.CNIType == nil {
		return spiderpoolv2beta1.CNITypeCustom
	}
	return *spec.CNIType
}

// ValidateMultusConfig checks a SpiderMultusConfig being created
// (docs/reference/behaviour.md §6.5, docs/reference/interface.md §2.6).
func ValidateMultusConfig(smc *spiderpoolv2beta1.SpiderMultusConfig, env MultusConfigEnv) field.ErrorList {
	spec := &smc.Spec
	errs := validateCNIBlocks(spec)
	errs = append(errs, validatePlugin(spec)...)
	errs = append(errs, validateInjectAnnotations(smc)...)
	if spec.Coordinator != nil {
		errs = append(errs, ValidateCoordinatorSpec(spec.Coordinator, specPath.Child("coordinator"))...)
	}
	errs = append(errs, validateChainCNI(spec.ChainCNIJSONData)...)
	errs = append(errs, validateCustomCNI(spec)...)
	errs = append(errs, validateCNIVersion(smc.Annotations)...)
	return append(errs, validateNADName(smc, env)...)
}

// ValidateMultusConfigUpdate checks an update from old to smc: the create
// rules and an unchanged multus.spidernet.io/cr-name annotation.
func ValidateMultusConfigUpdate(old, smc *spiderpoolv2beta1.SpiderMultusConfig, env MultusConfigEnv) field.ErrorList {
	errs := validateNADNameKept(old, smc)
	if SpecUnchanged(old.Spec, smc.Spec) && SpecUnchanged(old.Annotations, smc.Annotations) {
		return errs
	}
	return append(errs, ValidateMultusConfig(smc, env)...)
}

// validateCNIBlocks checks that cniType is known, that its block is set and
// that no other block is.
func validateCNIBlocks(spec *spiderpoolv2beta1.MultusCNIConfigSpec) field.ErrorList {
	cniType := cniTypeOf(spec)
	blocks := cniBlocks(spec)
	known := []string{spiderpoolv2beta1.CNITypeCustom}
	for _, b := range blocks {
		known = append(known, b.cniType)
	}
	var errs field.ErrorList
	if !slices.Contains(known, cniType) {
		errs = append(errs, field.NotSupported(specPath.Child("cniType"), cniType, known))
	}
	for _, b := range blocks {
		switch {
		case b.cniType == cniType && !b.set:
			errs = append(errs, field.Required(specPath.Child(b.field), fmt.Sprintf(
				"cniType %s is configured by spec.%s; add it", cniType, b.field)))
		case b.cniType != cniType && b.set:
			errs = append(errs, field.Forbidden(specPath.Child(b.field), fmt.Sprintf(
				"cniType is %s, which does not use spec.%s; remove it, or set cniType: %s", cniType, b.field, b.cniType)))
		}
	}
	return errs
}
