// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	nadv1 "github.com/spiderpool-go/spiderpool/api/k8scni/v1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

type smc = *spiderpoolv2beta1.SpiderMultusConfig

func newSMC(name, cniType string, edit func(s *spiderpoolv2beta1.MultusCNIConfigSpec)) smc {
	m := &spiderpoolv2beta1.SpiderMultusConfig{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "kube-system"},
		Spec:       spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptrTo(cniType)},
	}
	if edit != nil {
		edit(&m.Spec)
	}
	return m
}

func macvlan(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
	s.Macvlan = &spiderpoolv2beta1.MacvlanConfig{Master: []string{"eth1"}}
}

func annotated(kv ...string) func(smc) {
	return func(m smc) {
		m.Annotations = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m.Annotations[kv[i]] = kv[i+1]
		}
	}
}

func pools4(names ...string) *spiderpoolv2beta1.SpiderpoolPools {
	return &spiderpoolv2beta1.SpiderpoolPools{IPv4IPPool: names}
}

func TestMultusConfigPlugins(t *testing.T) {
	type spec = *spiderpoolv2beta1.MultusCNIConfigSpec
	tests := []struct {
		name string
		smc  smc
		want []want
	}{
		{name: "macvlan", smc: newSMC("a", "macvlan", macvlan)},
		{name: "custom", smc: newSMC("a", "custom", func(s spec) { s.CustomCNI = ptrTo(`{"cniVersion":"0.3.1","type":"bridge"}`) })},
		{name: "custom empty", smc: newSMC("a", "custom", nil)},
		{name: "unset cniType is custom", smc: with(newSMC("a", "custom", nil), func(m smc) { m.Spec.CNIType = nil })},
		{name: "unknown cniType", smc: newSMC("a", "bridge", nil),
			want: []want{w("spec.cniType", field.ErrorTypeNotSupported, `"macvlan"`)}},
		{name: "block missing", smc: newSMC("a", "macvlan", nil),
			want: []want{w("spec.macvlan", field.ErrorTypeRequired, "cniType macvlan is configured by spec.macvlan")}},
		{name: "other block present", smc: newSMC("a", "ipvlan", func(s spec) {
			macvlan(s)
			s.IPvlan = &spiderpoolv2beta1.IPvlanConfig{Master: []string{"eth1"}}
		}), want: []want{w("spec.macvlan", field.ErrorTypeForbidden, "cniType is ipvlan", "set cniType: macvlan")}},
		{name: "custom with a block", smc: newSMC("a", "custom", macvlan),
			want: []want{w("spec.macvlan", field.ErrorTypeForbidden, "cniType is custom")}},
		{name: "no master", smc: newSMC("a", "macvlan", func(s spec) { s.Macvlan = &spiderpoolv2beta1.MacvlanConfig{} }),
			want: []want{w("spec.macvlan.master", field.ErrorTypeRequired, "eth1")}},
		{name: "empty master", smc: newSMC("a", "ipvlan", func(s spec) { s.IPvlan = &spiderpoolv2beta1.IPvlanConfig{Master: []string{""}} }),
			want: []want{w("spec.ipvlan.master[0]", field.ErrorTypeInvalid, "is empty")}},
		{name: "two masters without bond", smc: newSMC("a", "macvlan", func(s spec) {
			s.Macvlan = &spiderpoolv2beta1.MacvlanConfig{Master: []string{"eth1", "eth2"}}
		}), want: []want{w("spec.macvlan.bond.name", field.ErrorTypeRequired, "2 master interfaces are bonded")}},
		{name: "two masters with bond", smc: newSMC("a", "macvlan", func(s spec) {
			s.Macvlan = &spiderpoolv2beta1.MacvlanConfig{Master: []string{"eth1", "eth2"}, Bond: &spiderpoolv2beta1.BondConfig{Name: "bond0", Mode: 1}}
		})},
		{name: "bad bond mode and vlan", smc: newSMC("a", "macvlan", func(s spec) {
			s.Macvlan = &spiderpoolv2beta1.MacvlanConfig{Master: []string{"eth1"}, VlanID: ptrTo[int32](4095), Bond: &spiderpoolv2beta1.BondConfig{Name: "b", Mode: 7}}
		}), want: []want{
			w("spec.macvlan.bond.mode", field.ErrorTypeInvalid, "use 0 (balance-rr) to 6"),
			w("spec.macvlan.vlanID", field.ErrorTypeInvalid, "use 0 (no VLAN) to 4094"),
		}},
		{name: "sriov", smc: newSMC("a", "sriov", func(s spec) {
			s.SRIOV = &spiderpoolv2beta1.SRIOVConfig{ResourceName: ptrTo("spidernet.io/vf"), MinTxRateMbps: ptrTo(100), MaxTxRateMbps: ptrTo(0)}
		})},
		{name: "sriov without resource", smc: newSMC("a", "sriov", func(s spec) { s.SRIOV = &spiderpoolv2beta1.SRIOVConfig{} }),
			want: []want{w("spec.sriov.resourceName", field.ErrorTypeRequired, "device-plugin resource")}},
		{name: "sriov rates", smc: newSMC("a", "sriov", func(s spec) {
			s.SRIOV = &spiderpoolv2beta1.SRIOVConfig{ResourceName: ptrTo("r"), MinTxRateMbps: ptrTo(200), MaxTxRateMbps: ptrTo(100)}
		}), want: []want{w("spec.sriov.minTxRateMbps", field.ErrorTypeInvalid, "above maxTxRateMbps 100")}},
		{name: "ib-sriov without resource", smc: newSMC("a", "ib-sriov", func(s spec) { s.IBSRIOV = &spiderpoolv2beta1.IBSRIOVConfig{} }),
			want: []want{w("spec.ibsriov.resourceName", field.ErrorTypeRequired)}},
		{name: "ipoib without master", smc: newSMC("a", "ipoib", func(s spec) { s.IPoIB = &spiderpoolv2beta1.IPoIBConfig{} }),
			want: []want{w("spec.ipoib.master", field.ErrorTypeRequired, "ib0")}},
		{name: "ovs", smc: newSMC("a", "ovs", func(s spec) {
			s.OVS = &spiderpoolv2beta1.OVSConfig{BrName: "br1", Trunk: []spiderpoolv2beta1.Trunk{{MinID: ptrTo[uint](10), MaxID: ptrTo[uint](20)}, {ID: ptrTo[uint](5)}}}
		})},
		{name: "ovs bad", smc: newSMC("a", "ovs", func(s spec) {
			s.OVS = &spiderpoolv2beta1.OVSConfig{VlanTag: ptrTo[int32](5000), Trunk: []spiderpoolv2beta1.Trunk{{MinID: ptrTo[uint](20), MaxID: ptrTo[uint](10)}, {ID: ptrTo[uint](4095)}}}
		}), want: []want{
			w("spec.ovs.bridge", field.ErrorTypeRequired),
			w("spec.ovs.vlan", field.ErrorTypeInvalid),
			w("spec.ovs.trunk[0].minID", field.ErrorTypeInvalid, "above maxID 10"),
			w("spec.ovs.trunk[1].id", field.ErrorTypeInvalid, "0 to 4094"),
		}},
		{name: "coordinator checked without podCIDRType", smc: newSMC("a", "macvlan", func(s spec) {
			macvlan(s)
			s.Coordinator = &spiderpoolv2beta1.CoordinatorSpec{PodMACPrefix: ptrTo("01:00")}
		}), want: []want{w("spec.coordinator.podMACPrefix", field.ErrorTypeInvalid, "multicast")}},
		{name: "chain entries", smc: newSMC("a", "macvlan", func(s spec) {
			macvlan(s)
			s.ChainCNIJSONData = []string{`{"type":"tuning"}`, `{"name":"x"}`, `{`}
		}), want: []want{
			w("spec.chainCNIJsonData[1]", field.ErrorTypeInvalid, `has no "type"`),
			w("spec.chainCNIJsonData[2]", field.ErrorTypeInvalid, "not a CNI plugin configuration"),
		}},
		{name: "customCNI not JSON", smc: newSMC("a", "custom", func(s spec) { s.CustomCNI = ptrTo("{") }),
			want: []want{w("spec.customCNI", field.ErrorTypeInvalid, "not valid JSON (unexpected end of JSON input)")}},
		{name: "customCNI with macvlan", smc: newSMC("a", "macvlan", func(s spec) { macvlan(s); s.CustomCNI = ptrTo("{}") }),
			want: []want{w("spec.customCNI", field.ErrorTypeForbidden, "only used with cniType custom, not macvlan")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrs(t, ValidateMultusConfig(tt.smc, MultusConfigEnv{}), tt.want...)
		})
	}
}

func TestMultusConfigAnnotations(t *testing.T) {
	type spec = *spiderpoolv2beta1.MultusCNIConfigSpec
	rdma, network := spiderpoolv2beta1.AnnoRDMAResourceInject, spiderpoolv2beta1.AnnoNetworkResourceInject
	crName := spiderpoolv2beta1.AnnoMultusConfigName
	owned := &nadv1.NetworkAttachmentDefinition{ObjectMeta: metav1.ObjectMeta{Name: "net", Namespace: "kube-system",
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "spiderpool.spidernet.io/v2beta1", Kind: "SpiderMultusConfig", Name: "other"}}}}
	tests := []struct {
		name string
		smc  smc
		env  MultusConfigEnv
		want []want
	}{
		{name: "rdma macvlan", smc: with(newSMC("a", "macvlan", func(s spec) {
			s.Macvlan = &spiderpoolv2beta1.MacvlanConfig{Master: []string{"eth1"}, RdmaResourceName: ptrTo("rdma/x"), SpiderpoolConfigPools: pools4("p")}
		}), annotated(rdma, "net1"))},
		{name: "rdma macvlan lacking", smc: with(newSMC("a", "macvlan", macvlan), annotated(rdma, "net1")), want: []want{
			w("spec.macvlan.rdmaResourceName", field.ErrorTypeRequired, rdma),
			w("spec.macvlan.ippools", field.ErrorTypeRequired, "need a pool"),
		}},
		{name: "rdma sriov needs a pool", smc: with(newSMC("a", "sriov", func(s spec) {
			s.SRIOV = &spiderpoolv2beta1.SRIOVConfig{ResourceName: ptrTo("r")}
		}), annotated(rdma, "x")), want: []want{w("spec.sriov.ippools", field.ErrorTypeRequired)}},
		{name: "network sriov without pool", smc: with(newSMC("a", "sriov", func(s spec) {
			s.SRIOV = &spiderpoolv2beta1.SRIOVConfig{ResourceName: ptrTo("r")}
		}), annotated(network, "x"))},
		{name: "network macvlan without rdma", smc: with(newSMC("a", "macvlan", macvlan), annotated(network, "x"))},
		{name: "network macvlan with rdma needs a pool", smc: with(newSMC("a", "ipvlan", func(s spec) {
			s.IPvlan = &spiderpoolv2beta1.IPvlanConfig{Master: []string{"eth1"}, RdmaResourceName: ptrTo("rdma/x")}
		}), annotated(network, "x")), want: []want{w("spec.ipvlan.ippools", field.ErrorTypeRequired)}},
		{name: "inject with ovs", smc: with(newSMC("a", "ovs", func(s spec) { s.OVS = &spiderpoolv2beta1.OVSConfig{BrName: "br1"} }), annotated(network, "x")),
			want: []want{w("metadata.annotations[cni.spidernet.io/network-resource-inject]", field.ErrorTypeForbidden, "cniType ovs cannot be injected")}},
		{name: "cni version", smc: with(newSMC("a", "custom", nil), annotated(spiderpoolv2beta1.AnnoMultusConfigCNIVersion, "0.2.0")),
			want: []want{w("metadata.annotations[multus.spidernet.io/cni-version]", field.ErrorTypeNotSupported, `"1.0.0"`)}},
		{name: "cr-name invalid", smc: with(newSMC("a", "custom", nil), annotated(crName, "Bad_Name")),
			want: []want{w("metadata.annotations[multus.spidernet.io/cr-name]", field.ErrorTypeInvalid, "RFC 1123")}},
		{name: "cr-name taken by another SMC", smc: with(newSMC("a", "custom", nil), annotated(crName, "b")),
			env:  MultusConfigEnv{Others: []spiderpoolv2beta1.SpiderMultusConfig{*newSMC("b", "custom", nil)}},
			want: []want{w("metadata.annotations[multus.spidernet.io/cr-name]", field.ErrorTypeInvalid, `SpiderMultusConfig "b" already generates NetworkAttachmentDefinition kube-system/b`)}},
		{name: "name taken by another SMC's cr-name", smc: newSMC("net", "custom", nil),
			env:  MultusConfigEnv{Others: []spiderpoolv2beta1.SpiderMultusConfig{*with(newSMC("b", "custom", nil), annotated(crName, "net"))}},
			want: []want{w("metadata.name", field.ErrorTypeInvalid, `SpiderMultusConfig "b"`)}},
		{name: "NAD of another SMC", smc: with(newSMC("a", "custom", nil), annotated(crName, "net")), env: MultusConfigEnv{NAD: owned},
			want: []want{w("metadata.annotations[multus.spidernet.io/cr-name]", field.ErrorTypeInvalid, `belongs to SpiderMultusConfig "other"`)}},
		{name: "own NAD", smc: with(newSMC("other", "custom", nil), annotated(crName, "net")), env: MultusConfigEnv{NAD: owned}},
		{name: "unowned NAD is taken over", smc: newSMC("net", "custom", nil),
			env: MultusConfigEnv{NAD: &nadv1.NetworkAttachmentDefinition{ObjectMeta: metav1.ObjectMeta{Name: "net"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrs(t, ValidateMultusConfig(tt.smc, tt.env), tt.want...)
		})
	}
}

func TestMultusConfigUpdate(t *testing.T) {
	crName := spiderpoolv2beta1.AnnoMultusConfigName
	old := with(newSMC("a", "macvlan", macvlan), annotated(crName, "net-a"))
	checkErrs(t, ValidateMultusConfigUpdate(old, with(old, func(m smc) { m.Spec.Macvlan.Master = []string{"eth2"} }), MultusConfigEnv{}))
	checkErrs(t, ValidateMultusConfigUpdate(old, with(old, annotated(crName, "net-b")), MultusConfigEnv{}),
		w("metadata.annotations[multus.spidernet.io/cr-name]", field.ErrorTypeForbidden, `it was "net-a", now "net-b"`, "put it back"))
	checkErrs(t, ValidateMultusConfigUpdate(old, newSMC("a", "macvlan", macvlan), MultusConfigEnv{}),
		w("metadata.annotations[multus.spidernet.io/cr-name]", field.ErrorTypeForbidden, `it was "net-a", now unset`))
	checkErrs(t, ValidateMultusConfigUpdate(newSMC("a", "macvlan", macvlan), old, MultusConfigEnv{}),
		w("metadata.annotations[multus.spidernet.io/cr-name]", field.ErrorTypeForbidden, "it was unset"))
	checkErrs(t, ValidateMultusConfigUpdate(old, with(old, func(m smc) { m.Spec.Macvlan.Master = nil }), MultusConfigEnv{}),
		w("spec.macvlan.master", field.ErrorTypeRequired))
}
