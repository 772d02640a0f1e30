// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// maxVlanID is the highest VLAN ID (802.1Q reserves 4095).
const maxVlanID = 4094

// validatePlugin checks the block of the configured cniType; a missing
// block is reported by validateCNIBlocks.
func validatePlugin(spec *spiderpoolv2beta1.MultusCNIConfigSpec) field.ErrorList {
	switch cniTypeOf(spec) {
	case spiderpoolv2beta1.CNITypeMacvlan:
		if c := spec.Macvlan; c != nil {
			return validateMasters(c.Master, c.VlanID, c.Bond, specPath.Child("macvlan"))
		}
	case spiderpoolv2beta1.CNITypeIPvlan:
		if c := spec.IPvlan; c != nil {
			return validateMasters(c.Master, c.VlanID, c.Bond, specPath.Child("ipvlan"))
		}
	case spiderpoolv2beta1.CNITypeVlan:
		if c := spec.Vlan; c != nil {
			return validateVlanBlock(c, specPath.Child("vlan"))
		}
	case spiderpoolv2beta1.CNITypeSRIOV:
		if c := spec.SRIOV; c != nil {
			return validateSRIOV(c, specPath.Child("sriov"))
		}
	case spiderpoolv2beta1.CNITypeIBSRIOV:
		if c := spec.IBSRIOV; c != nil {
			return validateResourceName(c.ResourceName, specPath.Child("ibsriov", "resourceName"))
		}
	case spiderpoolv2beta1.CNITypeIPoIB:
		if c := spec.IPoIB; c != nil && c.Master == "" {
			return field.ErrorList{field.Required(specPath.Child("ipoib", "master"),
				`name the host InfiniBand interface, e.g. "ib0"`)}
		}
	case spiderpoolv2beta1.CNITypeOVS:
		if c := spec.OVS; c != nil {
			return validateOVS(c, specPath.Child("ovs"))
		}
	}
	return nil
}

// validateMasters checks the macvlan or ipvlan block: one or more host
// interfaces, a bond name when there are several, a VLAN ID in range.
func validateMasters(masters []string, vlanID *int32, bond *spiderpoolv2beta1.BondConfig, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(masters) == 0 {
		errs = append(errs, field.Required(path.Child("master"), `name the host interface, e.g. ["eth1"]`))
	}
	for i, m := range masters {
		if m == "" {
			errs = append(errs, field.Invalid(path.Child("master").Index(i), m, `is empty; name a host interface, e.g. "eth1", or remove the entry`))
		}
	}
	if len(masters) > 1 && (bond == nil || bond.Name == "") {
		errs = append(errs, field.Required(path.Child("bond", "name"), fmt.Sprintf(
			"%d master interfaces are bonded together; name the bond, e.g. \"bond0\", and set its mode", len(masters))))
	}
	if bond != nil && (bond.Mode < 0 || bond.Mode > 6) {
		errs = append(errs, field.Invalid(path.Child("bond", "mode"), bond.Mode,
			"is not a Linux bonding mode; use 0 (balance-rr) to 6 (balance-alb)"))
	}
	return append(errs, validateVlanID(vlanID, path.Child("vlanID"))...)
}

// validateVlanBlock checks the vlan block: the masters as for macvlan, and
// a vlanID with vlanMode manual (the default) but none with auto.
func validateVlanBlock(c *spiderpoolv2beta1.VlanConfig, path *field.Path) field.ErrorList {
	errs := validateMasters(c.Master, c.VlanID, c.Bond, path)
	switch mode := deref(c.VlanMode); {
	case mode == spiderpoolv2beta1.VlanModeAuto && c.VlanID != nil:
		errs = append(errs, field.Forbidden(path.Child("vlanID"), fmt.Sprintf(
			"vlanMode auto takes no vlanID, found %d; remove it, or set vlanMode: manual", *c.VlanID)))
	case mode != spiderpoolv2beta1.VlanModeAuto && c.VlanID == nil:
		errs = append(errs, field.Required(path.Child("vlanID"),
			"vlanMode manual needs the VLAN ID, e.g. 100; set it, or set vlanMode: auto"))
	}
	return errs
}

// validateVlanID checks an optional VLAN ID: 0 (none) to 4094.
func validateVlanID(id *int32, path *field.Path) field.ErrorList {
	if id == nil || (*id >= 0 && *id <= maxVlanID) {
		return nil
	}
	return field.ErrorList{field.Invalid(path, *id, fmt.Sprintf("is out of range; use 0 (no VLAN) to %d", maxVlanID))}
}

// validateResourceName requires a device-plugin resource name.
func validateResourceName(name *string, path *field.Path) field.ErrorList {
	if name != nil && *name != "" {
		return nil
	}
	return field.ErrorList{field.Required(path, `name the device-plugin resource of the VFs, e.g. "spidernet.io/sriov_netdevice"`)}
}

// validateSRIOV checks the sriov block.
func validateSRIOV(c *spiderpoolv2beta1.SRIOVConfig, path *field.Path) field.ErrorList {
	errs := validateResourceName(c.ResourceName, path.Child("resourceName"))
	errs = append(errs, validateVlanID(c.VlanID, path.Child("vlanID"))...)
	minRate, maxRate := deref(c.MinTxRateMbps), deref(c.MaxTxRateMbps)
	if minRate < 0 {
		errs = append(errs, field.Invalid(path.Child("minTxRateMbps"), minRate, "is negative; use 0 (no minimum) or a positive rate"))
	}
	if maxRate < 0 {
		errs = append(errs, field.Invalid(path.Child("maxTxRateMbps"), maxRate, "is negative; use 0 (no limit) or a positive rate"))
	}
	// 0 means "no limit" for the maximum, so any minimum goes with it.
	if maxRate > 0 && minRate > maxRate {
		errs = append(errs, field.Invalid(path.Child("minTxRateMbps"), minRate, fmt.Sprintf(
			"is above maxTxRateMbps %d; lower it, or raise maxTxRateMbps (0 means no limit)", maxRate)))
	}
	return errs
}

// validateOVS checks the ovs block: a bridge, and VLAN and trunk IDs in
// range with minID <= maxID.
func validateOVS(c *spiderpoolv2beta1.OVSConfig, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if c.BrName == "" {
		errs = append(errs, field.Required(path.Child("bridge"), `name the Open vSwitch bridge, e.g. "br1"`))
	}
	errs = append(errs, validateVlanID(c.VlanTag, path.Child("vlan"))...)
	for i, t := range c.Trunk {
		p := path.Child("trunk").Index(i)
		for _, id := range []struct {
			name  string
			value *uint
		}{{"minID", t.MinID}, {"maxID", t.MaxID}, {"id", t.ID}} {
			if id.value != nil && *id.value > maxVlanID {
				errs = append(errs, field.Invalid(p.Child(id.name), *id.value, fmt.Sprintf("is not a VLAN ID; use 0 to %d", maxVlanID)))
			}
		}
		if t.MinID != nil && t.MaxID != nil && *t.MinID > *t.MaxID {
			errs = append(errs, field.Invalid(p.Child("minID"), *t.MinID, fmt.Sprintf(
				"is above maxID %d; swap them", *t.MaxID)))
		}
	}
	return errs
}
