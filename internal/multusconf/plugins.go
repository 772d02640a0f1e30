// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package multusconf

// The plugin configurations of a generated chain. encoding/json writes a
// struct's fields in declaration order, so each struct declares its keys in
// the order Spiderpool writes them (docs/reference/interface.md §7); keys
// Spiderpool v1.2 added come after those of v1.0. A pointer is written
// whenever it is set, 0 and "" included, as Spiderpool does.

// Plugin types written into generated configurations.
const (
	typeIfacer      = "ifacer"
	typeMacvlan     = "macvlan"
	typeIPvlan      = "ipvlan"
	typeVlan        = "vlan"
	typeSRIOV       = "sriov"
	typeRDMA        = "rdma"
	typeTuning      = "tuning"
	typeIBSRIOV     = "ib-sriov"
	typeIPoIB       = "ipoib"
	typeOVS         = "ovs"
	typeCoordinator = "coordinator"
	typeSpiderpool  = "spiderpool"
	macvlanMode     = "bridge"
)

// ipamConf is the spiderpool IPAM block of the main plugin.
type ipamConf struct {
	Type              string   `json:"type"`
	DefaultIPv4IPPool []string `json:"default_ipv4_ippool,omitempty"`
	DefaultIPv6IPPool []string `json:"default_ipv6_ippool,omitempty"`
	MatchMasterSubnet bool     `json:"match_master_subnet,omitempty"`
}

// bondConf is the bond ifacer creates.
type bondConf struct {
	Name    string  `json:"name"`
	Mode    int32   `json:"mode"`
	Options *string `json:"options,omitempty"`
}

// ifacerConf creates the VLAN sub-interface or the bond on the host.
type ifacerConf struct {
	VlanID     int32     `json:"vlanID,omitempty"`
	Type       string    `json:"type"`
	Interfaces []string  `json:"interfaces,omitempty"`
	Bond       *bondConf `json:"bond,omitempty"`
}

// macvlanConf is the macvlan plugin; mode is always bridge.
type macvlanConf struct {
	Type   string    `json:"type"`
	Master string    `json:"master"`
	Mode   string    `json:"mode"`
	MTU    int32     `json:"mtu,omitempty"`
	IPAM   *ipamConf `json:"ipam,omitempty"`
}

// ipvlanConf is the ipvlan plugin; it has no mode key.
type ipvlanConf struct {
	Type   string    `json:"type"`
	Master string    `json:"master"`
	MTU    int32     `json:"mtu,omitempty"`
	IPAM   *ipamConf `json:"ipam,omitempty"`
}

// vlanConf is the vlan plugin of cniType vlan (Spiderpool v1.2).
type vlanConf struct {
	Type   string    `json:"type"`
	Master string    `json:"master"`
	VlanID *int32    `json:"vlanId,omitempty"`
	MTU    int32     `json:"mtu,omitempty"`
	IPAM   *ipamConf `json:"ipam,omitempty"`
}

// sriovConf is the sriov plugin.
type sriovConf struct {
	Vlan      *int32    `json:"vlan,omitempty"`
	MinTxRate *int      `json:"min_tx_rate,omitempty"`
	MaxTxRate *int      `json:"max_tx_rate,omitempty"`
	Type      string    `json:"type"`
	IPAM      *ipamConf `json:"ipam,omitempty"`
}

// typeOnly is a plugin configured by its type alone (rdma).
type typeOnly struct {
	Type string `json:"type"`
}

// tuningConf is the tuning plugin that sets the MTU of an SR-IOV VF.
type tuningConf struct {
	Type string `json:"type"`
	MTU  int32  `json:"mtu"`
}

// ibSRIOVConf is the ib-sriov plugin.
type ibSRIOVConf struct {
	Type                string    `json:"type"`
	Pkey                *string   `json:"pkey,omitempty"`
	LinkState           *string   `json:"link_state,omitempty"`
	RdmaIsolation       *bool     `json:"rdmaIsolation,omitempty"`
	IBKubernetesEnabled *bool     `json:"ibKubernetesEnabled,omitempty"`
	IPAM                *ipamConf `json:"ipam,omitempty"`
}

// ipoibConf is the ipoib plugin.
type ipoibConf struct {
	Type   string    `json:"type"`
	Master string    `json:"master,omitempty"`
	IPAM   *ipamConf `json:"ipam,omitempty"`
}

// ovsConf is the ovs plugin.
type ovsConf struct {
	Vlan     *int32      `json:"vlan,omitempty"`
	Type     string      `json:"type"`
	Bridge   string      `json:"bridge"`
	DeviceID string      `json:"deviceID,omitempty"`
	IPAM     *ipamConf   `json:"ipam,omitempty"`
	Trunk    []trunkConf `json:"trunk,omitempty"`
}

// trunkConf is one VLAN or VLAN range of an OVS trunk port.
type trunkConf struct {
	MinID *uint `json:"minID,omitempty"`
	MaxID *uint `json:"maxID,omitempty"`
	ID    *uint `json:"id,omitempty"`
}

// coordinatorConf is the coordinator plugin. hostRuleTable and podRPFilter
// are written whenever set (Spiderpool drops the first and writes the
// second only with podCIDRType; docs/compatibility.md).
type coordinatorConf struct {
	TxQueueLen         *int        `json:"txQueueLen,omitempty"`
	VethLinkAddress    string      `json:"vethLinkAddress,omitempty"`
	TunePodRoutes      *bool       `json:"tunePodRoutes,omitempty"`
	PodMACPrefix       string      `json:"podMACPrefix,omitempty"`
	Mode               string      `json:"mode,omitempty"`
	Type               string      `json:"type"`
	PodDefaultRouteNIC string      `json:"podDefaultRouteNic,omitempty"`
	PodRPFilter        *int        `json:"podRPFilter,omitempty"`
	HijackCIDR         []string    `json:"hijackCIDR,omitempty"`
	HostRuleTable      *int        `json:"hostRuleTable,omitempty"`
	PolicyRoutes       []routeConf `json:"policyRoutes,omitempty"`
	VethMTU            *int        `json:"vethMTU,omitempty"`
}

// routeConf is one of the coordinator's policy routes.
type routeConf struct {
	Dst string `json:"dst"`
	Gw  string `json:"gw"`
}
