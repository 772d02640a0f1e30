// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/validation"
)

func injectSMC(ns, name string, spec spiderpoolv2beta1.MultusCNIConfigSpec) spiderpoolv2beta1.SpiderMultusConfig {
	return spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
}

var injectPools = &spiderpoolv2beta1.SpiderpoolPools{IPv4IPPool: []string{"p"}}

// TestInjectPodNetworksTypes covers the resource of each injectable type
// and the order of the networks.
func TestInjectPodNetworksTypes(t *testing.T) {
	smcs := []spiderpoolv2beta1.SpiderMultusConfig{
		injectSMC("b", "ipoib", spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("ipoib"),
			IPoIB: &spiderpoolv2beta1.IPoIBConfig{Master: "ib0", SpiderpoolConfigPools: injectPools}}),
		injectSMC("a", "vlan", spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("vlan"),
			Vlan: &spiderpoolv2beta1.VlanConfig{Master: []string{"eth1"}, RdmaResourceName: ptr.To("r/vlan"), SpiderpoolConfigPools: injectPools}}),
		injectSMC("a", "ib", spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("ib-sriov"),
			IBSRIOV: &spiderpoolv2beta1.IBSRIOVConfig{ResourceName: ptr.To("r/ib"), SpiderpoolConfigPools: injectPools}}),
	}
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}}}}
	inj := validation.PodInjection{Key: spiderpoolv2beta1.AnnoRDMAResourceInject, Value: "v"}
	if errs := validation.InjectPodNetworks(pod, inj, smcs); len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if got := pod.Annotations[spiderpoolv2beta1.AnnoMultusNetworks]; got != "a/ib,a/vlan,b/ipoib" {
		t.Errorf("networks %q", got)
	}
	limits := pod.Spec.Containers[0].Resources.Limits
	one := resource.MustParse("1")
	ib, vlan := limits["r/ib"], limits["r/vlan"]
	if len(limits) != 2 || ib.Cmp(one) != 0 || vlan.Cmp(one) != 0 {
		t.Errorf("limits %v", limits)
	}
}

// TestInjectPodNetworksRefusals checks that a refused pod is left as it
// was and that each message names the problem.
func TestInjectPodNetworksRefusals(t *testing.T) {
	ovs := injectSMC("a", "ovs", spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("ovs"), OVS: &spiderpoolv2beta1.OVSConfig{BrName: "br0"}})
	noPools := injectSMC("a", "sriov", spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("sriov"),
		SRIOV: &spiderpoolv2beta1.SRIOVConfig{ResourceName: ptr.To("r/vf")}})
	network := validation.PodInjection{Key: spiderpoolv2beta1.AnnoNetworkResourceInject, Value: "v", Namespace: "apps"}
	rdma := validation.PodInjection{Key: spiderpoolv2beta1.AnnoRDMAResourceInject, Value: "v"}
	for _, tc := range []struct {
		name string
		inj  validation.PodInjection
		smcs []spiderpoolv2beta1.SpiderMultusConfig
		want string
	}{
		{"none, from the namespace", network, nil, "(from namespace apps) matches no SpiderMultusConfig"},
		{"ovs", network, []spiderpoolv2beta1.SpiderMultusConfig{ovs}, "a/ovs of cniType ovs, which cannot be injected"},
		{"rdma without pools", rdma, []spiderpoolv2beta1.SpiderMultusConfig{noPools}, "names no pool in spec.sriov.ippools"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}}}}
			errs := validation.InjectPodNetworks(pod, tc.inj, tc.smcs)
			if len(errs) == 0 || !strings.Contains(errs.ToAggregate().Error(), tc.want) {
				t.Errorf("errors %v, want %q", errs, tc.want)
			}
			if pod.Annotations != nil || pod.Spec.Containers[0].Resources.Limits != nil {
				t.Errorf("a refused pod was changed: %+v", pod)
			}
		})
	}
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}}}}
	if errs := validation.InjectPodNetworks(pod, network, []spiderpoolv2beta1.SpiderMultusConfig{noPools}); len(errs) > 0 {
		t.Errorf("network-resource-inject needs no pool: %v", errs)
	}
}
