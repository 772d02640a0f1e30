// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestMultusConfigV12 checks the rules of the fields Spiderpool v1.1 and
// v1.2 added: the vlan block with its vlanMode, the inject annotations on
// a vlan network, and the coordinator's policyRoutes.
func TestMultusConfigV12(t *testing.T) {
	type spec = *spiderpoolv2beta1.MultusCNIConfigSpec
	vlan := func(mode string, id *int32) func(spec) {
		return func(s spec) {
			s.Vlan = &spiderpoolv2beta1.VlanConfig{Master: []string{"eth1"}, VlanID: id}
			if mode != "" {
				s.Vlan.VlanMode = ptrTo(mode)
			}
		}
	}
	routes := func(r ...spiderpoolv2beta1.Route) func(spec) {
		return func(s spec) {
			macvlan(s)
			s.Coordinator = &spiderpoolv2beta1.CoordinatorSpec{PolicyRoutes: r}
		}
	}
	tests := []struct {
		name string
		smc  smc
		want []want
	}{
		{name: "vlan manual", smc: newSMC("a", "vlan", vlan("manual", ptrTo[int32](10)))},
		{name: "vlan default mode is manual", smc: newSMC("a", "vlan", vlan("", ptrTo[int32](10)))},
		{name: "vlan auto", smc: newSMC("a", "vlan", vlan("auto", nil))},
		{name: "vlan manual without ID", smc: newSMC("a", "vlan", vlan("manual", nil)),
			want: []want{w("spec.vlan.vlanID", field.ErrorTypeRequired, "vlanMode manual needs the VLAN ID")}},
		{name: "vlan auto with ID", smc: newSMC("a", "vlan", vlan("auto", ptrTo[int32](10))),
			want: []want{w("spec.vlan.vlanID", field.ErrorTypeForbidden, "vlanMode auto takes no vlanID")}},
		{name: "vlan block on macvlan", smc: newSMC("a", "macvlan", func(s spec) { macvlan(s); vlan("auto", nil)(s) }),
			want: []want{w("spec.vlan", field.ErrorTypeForbidden, "does not use spec.vlan")}},
		{name: "vlan rdma inject needs resource and pool",
			smc: with(newSMC("a", "vlan", vlan("auto", nil)), annotated(spiderpoolv2beta1.AnnoRDMAResourceInject, "x")),
			want: []want{w("spec.vlan.rdmaResourceName", field.ErrorTypeRequired, "injects"),
				w("spec.vlan.ippools", field.ErrorTypeRequired, "pool")}},
		{name: "policy routes", smc: newSMC("a", "macvlan", routes(spiderpoolv2beta1.Route{Dst: "10.0.0.0/8", Gw: "10.6.0.1"},
			spiderpoolv2beta1.Route{Dst: "fd00::/8", Gw: "fd00::1"}))},
		{name: "policy route not CIDR", smc: newSMC("a", "macvlan", routes(spiderpoolv2beta1.Route{Dst: "10.0.0.1", Gw: "x"})),
			want: []want{w("spec.coordinator.policyRoutes[0].dst", field.ErrorTypeInvalid, "not a CIDR"),
				w("spec.coordinator.policyRoutes[0].gw", field.ErrorTypeInvalid, "not an IP address")}},
		{name: "policy route families", smc: newSMC("a", "macvlan", routes(spiderpoolv2beta1.Route{Dst: "10.0.0.0/8", Gw: "fd00::1"})),
			want: []want{w("spec.coordinator.policyRoutes[0].gw", field.ErrorTypeInvalid, "IP family")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrs(t, ValidateMultusConfig(tt.smc, MultusConfigEnv{}), tt.want...)
		})
	}
}

// TestDefaultMultusConfigVlan checks the webhook's defaults of a vlan
// block.
func TestDefaultMultusConfigVlan(t *testing.T) {
	m := newSMC("a", "vlan", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
		s.Vlan = &spiderpoolv2beta1.VlanConfig{Master: []string{"a", "b"}, Bond: &spiderpoolv2beta1.BondConfig{Name: "bond0"}}
	})
	DefaultMultusConfig(m)
	v := m.Spec.Vlan
	if deref(v.VlanMode) != spiderpoolv2beta1.VlanModeManual || v.RdmaResourceName == nil || v.Bond.Options == nil ||
		v.SpiderpoolConfigPools == nil || m.Spec.Coordinator == nil {
		t.Errorf("defaults not applied: %+v", v)
	}
}
