// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// PodInjectKeys are the annotations the pod webhook acts on, in the order
// it looks for them.
var PodInjectKeys = []string{spiderpoolv2beta1.AnnoRDMAResourceInject, spiderpoolv2beta1.AnnoNetworkResourceInject}

// PodInjection is the inject annotation in effect for a pod.
type PodInjection struct {
	// Key is AnnoRDMAResourceInject or AnnoNetworkResourceInject.
	Key string
	// Value selects the SpiderMultusConfigs labelled Key=Value.
	Value string
	// Namespace is set when the value comes from the pod's namespace
	// rather than from the pod (Spiderpool v1.2).
	Namespace string
}

// InjectionOf returns the inject annotation among annotations, in the
// order of PodInjectKeys, and false when there is none.
func InjectionOf(annotations map[string]string) (PodInjection, bool) {
	for _, key := range PodInjectKeys {
		if v, ok := annotations[key]; ok {
			return PodInjection{Key: key, Value: v}, true
		}
	}
	return PodInjection{}, false
}

// source names where inj was found, for messages.
func (inj PodInjection) source() string {
	if inj.Namespace != "" {
		return "namespace " + inj.Namespace
	}
	return "the pod"
}

// InjectPodNetworks applies inj to pod with smcs, the SpiderMultusConfigs
// labelled inj.Key=inj.Value in every namespace
// (docs/reference/behaviour.md §6.6): annotation k8s.v1.cni.cncf.io/networks
// becomes the list of their NetworkAttachmentDefinitions (replacing any
// value), and each device resource no container asks for is added to the
// first container, limit and request 1. It changes nothing and returns
// the errors when smcs is empty or one of them cannot be injected.
func InjectPodNetworks(pod *corev1.Pod, inj PodInjection, smcs []spiderpoolv2beta1.SpiderMultusConfig) field.ErrorList {
	path := annotationPath(inj.Key)
	if msgs := validation.IsValidLabelValue(inj.Value); len(msgs) > 0 {
		return field.ErrorList{field.Invalid(path, inj.Value, fmt.Sprintf(
			"(from %s) is not a label value (%s), so no SpiderMultusConfig can carry it; use a value of at most 63 letters, digits, '-', '_' or '.'",
			inj.source(), strings.Join(msgs, "; ")))}
	}
	if len(smcs) == 0 {
		return field.ErrorList{field.Invalid(path, inj.Value, fmt.Sprintf(
			"(from %s) matches no SpiderMultusConfig; annotate the SpiderMultusConfigs to attach with %s: %q, or correct the value",
			inj.source(), inj.Key, inj.Value))}
	}
	smcs = slices.Clone(smcs)
	slices.SortFunc(smcs, func(a, b spiderpoolv2beta1.SpiderMultusConfig) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	var errs field.ErrorList
	networks := make([]string, 0, len(smcs))
	var resources []string
	for i := range smcs {
		res, err := injectResourceOf(&smcs[i], inj)
		if err != nil {
			errs = append(errs, field.Invalid(path, inj.Value, err.Error()))
			continue
		}
		networks = append(networks, smcs[i].Namespace+"/"+NADName(&smcs[i]))
		if res != "" && !slices.Contains(resources, res) {
			resources = append(resources, res)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[spiderpoolv2beta1.AnnoMultusNetworks] = strings.Join(networks, ",")
	addMissingResources(pod, resources)
	return nil
}

// injectTarget is what the pod webhook takes from one network.
type injectTarget struct {
	resource     string // device-plugin resource, may be empty
	resourceName string // its field, for messages; empty when the type has none
	pools        *spiderpoolv2beta1.SpiderpoolPools
	block        string // the spec block, for messages
}

// injectTargetOf returns what the pod webhook takes from spec, and false
// for types it cannot inject (ovs, custom, or the block is missing).
func injectTargetOf(spec *spiderpoolv2beta1.MultusCNIConfigSpec) (injectTarget, bool) {
	vlanLike := func(block string, rdma *string, pools *spiderpoolv2beta1.SpiderpoolPools) (injectTarget, bool) {
		return injectTarget{resource: deref(rdma), resourceName: "rdmaResourceName", pools: pools, block: block}, true
	}
	vf := func(block string, res *string, pools *spiderpoolv2beta1.SpiderpoolPools) (injectTarget, bool) {
		return injectTarget{resource: deref(res), resourceName: "resourceName", pools: pools, block: block}, true
	}
	switch t := cniTypeOf(spec); {
	case t == spiderpoolv2beta1.CNITypeMacvlan && spec.Macvlan != nil:
		return vlanLike("macvlan", spec.Macvlan.RdmaResourceName, spec.Macvlan.SpiderpoolConfigPools)
	case t == spiderpoolv2beta1.CNITypeIPvlan && spec.IPvlan != nil:
		return vlanLike("ipvlan", spec.IPvlan.RdmaResourceName, spec.IPvlan.SpiderpoolConfigPools)
	case t == spiderpoolv2beta1.CNITypeVlan && spec.Vlan != nil:
		return vlanLike("vlan", spec.Vlan.RdmaResourceName, spec.Vlan.SpiderpoolConfigPools)
	case t == spiderpoolv2beta1.CNITypeSRIOV && spec.SRIOV != nil:
		return vf("sriov", spec.SRIOV.ResourceName, spec.SRIOV.SpiderpoolConfigPools)
	case t == spiderpoolv2beta1.CNITypeIBSRIOV && spec.IBSRIOV != nil:
		return vf("ibsriov", spec.IBSRIOV.ResourceName, spec.IBSRIOV.SpiderpoolConfigPools)
	case t == spiderpoolv2beta1.CNITypeIPoIB && spec.IPoIB != nil:
		return injectTarget{pools: spec.IPoIB.SpiderpoolConfigPools, block: "ipoib"}, true
	}
	return injectTarget{}, false
}

// injectResourceOf returns the device resource smc adds to a pod under
// inj, or why smc cannot be injected. The RDMA annotation needs a resource
// (ipoib: none) and a pool; the network annotation needs neither
// (docs/compatibility.md #10).
func injectResourceOf(smc *spiderpoolv2beta1.SpiderMultusConfig, inj PodInjection) (string, error) {
	name := smc.Namespace + "/" + smc.Name
	t, ok := injectTargetOf(&smc.Spec)
	if !ok {
		return "", fmt.Errorf("selects SpiderMultusConfig %s of cniType %s, which cannot be injected into pods; "+
			"remove its annotation and label %s, or use macvlan, ipvlan, vlan, sriov, ib-sriov or ipoib", name, cniTypeOf(&smc.Spec), inj.Key)
	}
	if inj.Key != spiderpoolv2beta1.AnnoRDMAResourceInject {
		return t.resource, nil
	}
	if t.resourceName != "" && t.resource == "" {
		return "", fmt.Errorf("selects SpiderMultusConfig %s, which has no spec.%s.%s for %s; set it, or use annotation %s",
			name, t.block, t.resourceName, inj.Key, spiderpoolv2beta1.AnnoNetworkResourceInject)
	}
	if !hasPools(t.pools) {
		return "", fmt.Errorf("selects SpiderMultusConfig %s, which names no pool in spec.%s.ippools, as %s requires; name an IPv4 or IPv6 pool there",
			name, t.block, inj.Key)
	}
	return t.resource, nil
}

// addMissingResources adds each of resources that no container limits
// to the first container, limit and request 1 (an extended resource's
// request must equal its limit).
func addMissingResources(pod *corev1.Pod, resources []string) {
	if len(pod.Spec.Containers) == 0 {
		return
	}
	first := &pod.Spec.Containers[0].Resources
	for _, r := range resources {
		name := corev1.ResourceName(r)
		if slices.ContainsFunc(pod.Spec.Containers, func(c corev1.Container) bool {
			_, ok := c.Resources.Limits[name]
			return ok
		}) {
			continue
		}
		if first.Limits == nil {
			first.Limits = corev1.ResourceList{}
		}
		first.Limits[name] = resource.MustParse("1")
		if _, ok := first.Requests[name]; !ok {
			if first.Requests == nil {
				first.Requests = corev1.ResourceList{}
			}
			first.Requests[name] = resource.MustParse("1")
		}
	}
}
