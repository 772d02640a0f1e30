// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Values of MultusCNIConfigSpec.CNIType.
const (
	CNITypeMacvlan = "macvlan"
	CNITypeIPvlan  = "ipvlan"
	CNITypeSRIOV   = "sriov"
	CNITypeOVS     = "ovs"
	CNITypeIBSRIOV = "ib-sriov"
	CNITypeIPoIB   = "ipoib"
	CNITypeCustom  = "custom"
	// CNITypeVlan is Spiderpool v1.2's vlan plugin type.
	CNITypeVlan = "vlan"
)

// Values of VlanConfig.VlanMode (Spiderpool v1.2.1).
const (
	// VlanModeManual takes the VLAN ID from vlanID, which it requires.
	VlanModeManual = "manual"
	// VlanModeAuto leaves the VLAN ID out of the configuration; vlanID
	// must be unset.
	VlanModeAuto = "auto"
)

// MultusCNIConfigSpec describes the CNI configuration that Spiderpool writes
// into the NetworkAttachmentDefinition of a SpiderMultusConfig. Only the
// block that matches cniType may be set.
type MultusCNIConfigSpec struct {
	// CNIType is the main CNI plugin of the generated configuration; custom
	// means customCNI is used verbatim.
	// +kubebuilder:default=custom
	// +kubebuilder:validation:Enum=macvlan;ipvlan;sriov;ovs;ib-sriov;ipoib;custom;vlan
	// +optional
	CNIType *string `json:"cniType,omitempty"`

	// Macvlan configures the macvlan plugin (cniType macvlan).
	// +optional
	Macvlan *MacvlanConfig `json:"macvlan,omitempty"`

	// IPvlan configures the ipvlan plugin (cniType ipvlan).
	// +optional
	IPvlan *IPvlanConfig `json:"ipvlan,omitempty"`

	// Vlan configures the vlan plugin (cniType vlan; Spiderpool v1.2).
	// +optional
	Vlan *VlanConfig `json:"vlan,omitempty"`
	// SRIOV configures the sriov plugin (cniType sriov).
	// +optional
	SRIOV *SRIOVConfig `json:"sriov,omitempty"`

	// OVS configures the ovs plugin (cniType ovs).
	// +optional
	OVS *OVSConfig `json:"ovs,omitempty"`

	// IBSRIOV configures the ib-sriov plugin (cniType ib-sriov; note the
	// key has no dash).
	// +optional
	IBSRIOV *IBSRIOVConfig `json:"ibsriov,omitempty"`

	// IPoIB configures the ipoib plugin (cniType ipoib).
	// +optional
	IPoIB *IPoIBConfig `json:"ipoib,omitempty"`

	// EnableCoordinator appends the coordinator plugin to the chain. The
	// webhook forces it to false for cniType custom.
	// +kubebuilder:default=true
	// +optional
	EnableCoordinator *bool `json:"enableCoordinator,omitempty"`

	// DisableIPAM leaves the ipam block out of the main plugin.
	// +kubebuilder:default=false
	// +optional
	DisableIPAM *bool `json:"disableIPAM,omitempty"`

	// Coordinator configures the coordinator plugin of this network; the
	// webhook fills in defaults when it is unset.
	// +optional
	Coordinator *CoordinatorSpec `json:"coordinator,omitempty"`

	// ChainCNIJSONData lists extra plugin configurations, each a JSON
	// object, appended to the end of the chain.
	// +optional
	ChainCNIJSONData []string `json:"chainCNIJsonData"`

	// CustomCNI is the complete CNI configuration (JSON) used verbatim for
	// cniType custom.
	// +optional
	CustomCNI *string `json:"customCNI,omitempty"`
}

// MacvlanConfig configures the macvlan plugin.
type MacvlanConfig struct {
	// Master lists the host interfaces; with two or more, bond is required
	// and the interfaces are bonded.
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:MinItems=1
	Master []string `json:"master,omitempty"`

	// MTU is the MTU of the pod interface; 0 keeps the kernel's default
	// (Spiderpool v1.2).
	// +kubebuilder:validation:Minimum=0
	// +optional
	MTU *int32 `json:"mtu,omitempty"`

	// VlanID, when not 0, makes the plugin use the VLAN sub-interface
	// "<master>.<vlanID>", created by the ifacer plugin.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4094
	// +optional
	VlanID *int32 `json:"vlanID,omitempty"`

	// Bond is the bond that ifacer creates from the master interfaces.
	// +optional
	Bond *BondConfig `json:"bond,omitempty"`

	// RdmaResourceName is the device-plugin resource that gives the pod an
	// RDMA device for this network.
	// +optional
	RdmaResourceName *string `json:"rdmaResourceName,omitempty"`

	// SpiderpoolConfigPools are the default pools written into the ipam block.
	// +optional
	SpiderpoolConfigPools *SpiderpoolPools `json:"ippools,omitempty"`
}

// IPvlanConfig configures the ipvlan plugin; its fields mean the same as in
// MacvlanConfig.
type IPvlanConfig struct {
	// Master lists the host interfaces; with two or more, bond is required
	// and the interfaces are bonded.
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:MinItems=1
	Master []string `json:"master,omitempty"`

	// MTU is the MTU of the pod interface; 0 keeps the kernel's default
	// (Spiderpool v1.2).
	// +kubebuilder:validation:Minimum=0
	// +optional
	MTU *int32 `json:"mtu,omitempty"`

	// VlanID, when not 0, makes the plugin use the VLAN sub-interface
	// "<master>.<vlanID>", created by the ifacer plugin.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4094
	// +optional
	VlanID *int32 `json:"vlanID,omitempty"`

	// Bond is the bond that ifacer creates from the master interfaces.
	// +optional
	Bond *BondConfig `json:"bond,omitempty"`

	// RdmaResourceName is the device-plugin resource that gives the pod an
	// RDMA device for this network.
	// +optional
	RdmaResourceName *string `json:"rdmaResourceName,omitempty"`

	// SpiderpoolConfigPools are the default pools written into the ipam block.
	// +optional
	SpiderpoolConfigPools *SpiderpoolPools `json:"ippools,omitempty"`
}

// BondConfig describes a Linux bond built from several host interfaces.
type BondConfig struct {
	// Name is the name of the bond interface.
	// +kubebuilder:validation:Required
	Name string `json:"name,omitempty"`

	// Mode is the bonding mode, 0 (balance-rr) to 6 (balance-alb); left
	// out, it is 0, which Spiderpool also accepts.
	// +kubebuilder:default=0
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=6
	// +optional
	Mode int32 `json:"mode"`

	// Options are extra bonding options as "key1=value1;key2=value2".
	// +optional
	Options *string `json:"options,omitempty"`
}

// SpiderpoolPools names the default pools of a network, written into the
// ipam block as default_ipv4_ippool and default_ipv6_ippool.
type SpiderpoolPools struct {
	// IPv4IPPool lists IPv4 SpiderIPPool names.
	// +optional
	IPv4IPPool []string `json:"ipv4,omitempty"`

	// IPv6IPPool lists IPv6 SpiderIPPool names.
	// +optional
	IPv6IPPool []string `json:"ipv6,omitempty"`
	// MatchMasterSubnet makes the IPAM drop candidate pools whose subnet
	// does not hold the subnet of the interface's master (Spiderpool v1.1);
	// written into the ipam block as match_master_subnet.
	// +kubebuilder:default=false
	// +optional
	MatchMasterSubnet bool `json:"matchMasterSubnet,omitempty"`
}

// SpiderMultusConfig describes a secondary network; Spiderpool generates the
// NetworkAttachmentDefinition of the same namespace from it.
//
// +kubebuilder:resource:path=spidermultusconfigs,singular=spidermultusconfig,scope=Namespaced,shortName={smc},categories={spiderpool}
// +kubebuilder:storageversion
// +kubebuilder:object:root=true
type SpiderMultusConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec describes the CNI configuration of the network.
	// +optional
	Spec MultusCNIConfigSpec `json:"spec,omitempty"`
}

// SpiderMultusConfigList is a list of SpiderMultusConfig.
//
// +kubebuilder:object:root=true
type SpiderMultusConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the network configurations.
	Items []SpiderMultusConfig `json:"items"`
}
