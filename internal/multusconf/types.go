// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package multusconf

import (
	"fmt"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// masters describes the host side of a macvlan, ipvlan or vlan network.
type masters struct {
	names  []string
	vlanID int32
	bond   *spiderpoolv2beta1.BondConfig
}

// parent returns the interface the plugin attaches to: the master, or the
// bond of several, without the VLAN.
func (m masters) parent() string {
	switch {
	case len(m.names) == 1:
		return m.names[0]
	case m.bond != nil:
		return m.bond.Name
	}
	return ""
}

// link returns parent(), with ".<vlanID>" for a VLAN ID other than 0.
func (m masters) link() string {
	if m.vlanID == 0 {
		return m.parent()
	}
	return fmt.Sprintf("%s.%d", m.parent(), m.vlanID)
}

// ifacer returns the ifacer plugin that creates the VLAN interface or the
// bond, nil when neither is needed (one master, no VLAN).
func (m masters) ifacer() []any {
	if m.vlanID == 0 && len(m.names) < 2 {
		return nil
	}
	conf := ifacerConf{VlanID: m.vlanID, Type: typeIfacer, Interfaces: m.names}
	if b := m.bond; b != nil {
		conf.Bond = &bondConf{Name: b.Name, Mode: b.Mode, Options: b.Options}
	}
	return []any{conf}
}

// macvlanChain returns [ifacer?, macvlan].
func macvlanChain(c *spiderpoolv2beta1.MacvlanConfig, noIPAM bool) []any {
	m := masters{names: c.Master, vlanID: deref(c.VlanID, 0), bond: c.Bond}
	main := macvlanConf{Type: typeMacvlan, Master: m.link(), Mode: macvlanMode, MTU: deref(c.MTU, 0),
		IPAM: ipam(c.SpiderpoolConfigPools, noIPAM)}
	return append(m.ifacer(), main)
}

// ipvlanChain returns [ifacer?, ipvlan].
func ipvlanChain(c *spiderpoolv2beta1.IPvlanConfig, noIPAM bool) []any {
	m := masters{names: c.Master, vlanID: deref(c.VlanID, 0), bond: c.Bond}
	main := ipvlanConf{Type: typeIPvlan, Master: m.link(), MTU: deref(c.MTU, 0), IPAM: ipam(c.SpiderpoolConfigPools, noIPAM)}
	return append(m.ifacer(), main)
}

// vlanChain returns [ifacer?, vlan]: the vlan plugin makes the VLAN
// interface in the pod itself, so ifacer only bonds several masters.
// vlanMode auto writes no vlanId.
func vlanChain(c *spiderpoolv2beta1.VlanConfig, noIPAM bool) []any {
	m := masters{names: c.Master, bond: c.Bond}
	main := vlanConf{Type: typeVlan, Master: m.parent(), MTU: deref(c.MTU, 0), IPAM: ipam(c.SpiderpoolConfigPools, noIPAM)}
	if deref(c.VlanMode, spiderpoolv2beta1.VlanModeManual) != spiderpoolv2beta1.VlanModeAuto {
		main.VlanID = c.VlanID
	}
	return append(m.ifacer(), main)
}

// sriovChain returns [sriov, tuning (MTU)?, rdma (rdmaIsolation)?].
func sriovChain(c *spiderpoolv2beta1.SRIOVConfig, noIPAM bool) []any {
	plugins := []any{sriovConf{Vlan: c.VlanID, MinTxRate: c.MinTxRateMbps, MaxTxRate: c.MaxTxRateMbps,
		Type: typeSRIOV, IPAM: ipam(c.SpiderpoolConfigPools, noIPAM)}}
	if mtu := deref(c.MTU, 0); mtu > 0 {
		plugins = append(plugins, tuningConf{Type: typeTuning, MTU: mtu})
	}
	if deref(c.EnableRdma, false) {
		plugins = append(plugins, typeOnly{Type: typeRDMA})
	}
	return plugins
}

// ibSRIOV returns the ib-sriov plugin.
func ibSRIOV(c *spiderpoolv2beta1.IBSRIOVConfig, noIPAM bool) ibSRIOVConf {
	return ibSRIOVConf{Type: typeIBSRIOV, Pkey: c.Pkey, LinkState: c.LinkState, RdmaIsolation: c.RdmaIsolation,
		IBKubernetesEnabled: c.IbKubernetesEnabled, IPAM: ipam(c.SpiderpoolConfigPools, noIPAM)}
}

// ovs returns the ovs plugin.
func ovs(c *spiderpoolv2beta1.OVSConfig, noIPAM bool) ovsConf {
	conf := ovsConf{Vlan: c.VlanTag, Type: typeOVS, Bridge: c.BrName, DeviceID: c.DeviceID, IPAM: ipam(c.SpiderpoolConfigPools, noIPAM)}
	for _, t := range c.Trunk {
		conf.Trunk = append(conf.Trunk, trunkConf{MinID: t.MinID, MaxID: t.MaxID, ID: t.ID})
	}
	return conf
}
