// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// injectKeys are the annotations that let the pod webhook attach this
// network and its device resources to pods.
var injectKeys = []string{spiderpoolv2beta1.AnnoRDMAResourceInject, spiderpoolv2beta1.AnnoNetworkResourceInject}

// injectable holds what the pod webhook needs from a network.
type injectable struct {
	// rdmaResource is the optional rdmaResourceName of a macvlan or ipvlan
	// network, at rdmaPath; nil rdmaPath for the other types, whose resource
	// (or ipoib master) validatePlugin already requires.
	rdmaResource string
	rdmaPath     *field.Path
	pools        *spiderpoolv2beta1.SpiderpoolPools
	poolsPath    *field.Path
}

// injectableOf returns what the pod webhook would use of spec, and false
// for cniTypes it cannot inject (ovs, custom).
func injectableOf(spec *spiderpoolv2beta1.MultusCNIConfigSpec) (injectable, bool) {
	vlanLike := func(name string, rdma *string, pools *spiderpoolv2beta1.SpiderpoolPools) injectable {
		return injectable{rdmaResource: deref(rdma), rdmaPath: specPath.Child(name, "rdmaResourceName"),
			pools: pools, poolsPath: specPath.Child(name, "ippools")}
	}
	other := func(name string, pools *spiderpoolv2beta1.SpiderpoolPools) injectable {
		return injectable{pools: pools, poolsPath: specPath.Child(name, "ippools")}
	}
	switch t := cniTypeOf(spec); {
	case t == spiderpoolv2beta1.CNITypeMacvlan && spec.Macvlan != nil:
		return vlanLike("macvlan", spec.Macvlan.RdmaResourceName, spec.Macvlan.SpiderpoolConfigPools), true
	case t == spiderpoolv2beta1.CNITypeIPvlan && spec.IPvlan != nil:
		return vlanLike("ipvlan", spec.IPvlan.RdmaResourceName, spec.IPvlan.SpiderpoolConfigPools), true
	case t == spiderpoolv2beta1.CNITypeVlan && spec.Vlan != nil:
		return vlanLike("vlan", spec.Vlan.RdmaResourceName, spec.Vlan.SpiderpoolConfigPools), true
	case t == spiderpoolv2beta1.CNITypeSRIOV && spec.SRIOV != nil:
		return other("sriov", spec.SRIOV.SpiderpoolConfigPools), true
	case t == spiderpoolv2beta1.CNITypeIBSRIOV && spec.IBSRIOV != nil:
		return other("ibsriov", spec.IBSRIOV.SpiderpoolConfigPools), true
	case t == spiderpoolv2beta1.CNITypeIPoIB && spec.IPoIB != nil:
		return other("ipoib", spec.IPoIB.SpiderpoolConfigPools), true
	case t == spiderpoolv2beta1.CNITypeOVS || t == spiderpoolv2beta1.CNITypeCustom:
		return injectable{}, false
	}
	return injectable{}, true // the missing block is reported by validateCNIBlocks
}

// hasPools reports whether p names at least one pool.
func hasPools(p *spiderpoolv2beta1.SpiderpoolPools) bool {
	return p != nil && len(p.IPv4IPPool)+len(p.IPv6IPPool) > 0
}

// validateInjectAnnotations checks the two inject annotations
// (docs/reference/interface.md §2.6): the network must have what the pod
// webhook adds to the pod.
func validateInjectAnnotations(smc *spiderpoolv2beta1.SpiderMultusConfig) field.ErrorList {
	inj, ok := injectableOf(&smc.Spec)
	var errs field.ErrorList
	for _, key := range injectKeys {
		if _, set := smc.Annotations[key]; !set {
			continue
		}
		if !ok {
			errs = append(errs, field.Forbidden(annotationPath(key), fmt.Sprintf(
				"cniType %s cannot be injected into pods; remove the annotation, or use macvlan, ipvlan, vlan, sriov, ib-sriov or ipoib",
				cniTypeOf(&smc.Spec))))
			continue
		}
		errs = append(errs, inj.check(key, key == spiderpoolv2beta1.AnnoRDMAResourceInject)...)
	}
	return errs
}

// check returns what inj lacks for annotation key. The RDMA annotation
// needs a resource and a pool; the network annotation needs a pool only for
// a macvlan or ipvlan network with an RDMA resource (v1.0.6 dropped the
// check for the other types).
func (inj injectable) check(key string, rdmaAnnotation bool) field.ErrorList {
	if inj.poolsPath == nil {
		return nil
	}
	var errs field.ErrorList
	if rdmaAnnotation && inj.rdmaPath != nil && inj.rdmaResource == "" {
		errs = append(errs, field.Required(inj.rdmaPath, fmt.Sprintf(
			"annotation %s injects this network's RDMA resource into pods; set it, or remove the annotation", key)))
	}
	needPools := rdmaAnnotation || (inj.rdmaPath != nil && inj.rdmaResource != "")
	if needPools && !hasPools(inj.pools) {
		errs = append(errs, field.Required(inj.poolsPath, fmt.Sprintf(
			"annotation %s injects this network into pods, which then need a pool; name an IPv4 or IPv6 pool", key)))
	}
	return errs
}
