// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1

// SRIOVConfig configures the sriov plugin.
type SRIOVConfig struct {
	// ResourceName is the device-plugin resource of the SR-IOV VFs; the
	// webhook requires it.
	// +optional
	ResourceName *string `json:"resourceName,omitempty"`

	// VlanID is the VLAN tag set on the VF; 0 means none.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4094
	// +optional
	VlanID *int32 `json:"vlanID,omitempty"`

	// MinTxRateMbps is the minimum transmit rate of the VF in Mbps.
	// +kubebuilder:validation:Minimum=0
	// +optional
	MinTxRateMbps *int `json:"minTxRateMbps,omitempty"`

	// MaxTxRateMbps is the maximum transmit rate of the VF in Mbps; 0 means
	// no limit.
	// +kubebuilder:validation:Minimum=0
	// +optional
	MaxTxRateMbps *int `json:"maxTxRateMbps,omitempty"`

	// MTU is the MTU of the VF in the pod, set through the tuning plugin; 0
	// keeps the VF's (Spiderpool v1.2).
	// +kubebuilder:validation:Minimum=0
	// +optional
	MTU *int32 `json:"mtu,omitempty"`

	// EnableRdma adds the rdma plugin to the chain to isolate the RDMA
	// device in the pod's network namespace.
	// +kubebuilder:default=false
	// +optional
	EnableRdma *bool `json:"rdmaIsolation,omitempty"`

	// SpiderpoolConfigPools are the default pools written into the ipam block.
	// +optional
	SpiderpoolConfigPools *SpiderpoolPools `json:"ippools,omitempty"`
}

// IBSRIOVConfig configures the ib-sriov (InfiniBand SR-IOV) plugin.
type IBSRIOVConfig struct {
	// ResourceName is the device-plugin resource of the InfiniBand VFs; the
	// webhook requires it.
	// +optional
	ResourceName *string `json:"resourceName,omitempty"`

	// Pkey is the InfiniBand partition key of the VF.
	// +optional
	Pkey *string `json:"pkey,omitempty"`

	// LinkState is the VF link state: auto, enable or disable.
	// +kubebuilder:default=enable
	// +kubebuilder:validation:Enum=auto;enable;disable
	// +optional
	LinkState *string `json:"linkState,omitempty"`

	// RdmaIsolation isolates the RDMA device in the pod's network namespace.
	// +kubebuilder:default=true
	// +optional
	RdmaIsolation *bool `json:"rdmaIsolation,omitempty"`

	// IbKubernetesEnabled tells the plugin that ib-kubernetes manages the
	// GUIDs and partition keys.
	// +kubebuilder:default=false
	// +optional
	IbKubernetesEnabled *bool `json:"enableIbKubernetes,omitempty"`

	// SpiderpoolConfigPools are the default pools written into the ipam block.
	// +optional
	SpiderpoolConfigPools *SpiderpoolPools `json:"ippools,omitempty"`
}

// IPoIBConfig configures the ipoib (IP over InfiniBand) plugin.
type IPoIBConfig struct {
	// Master is the host InfiniBand interface; the webhook requires it.
	// +optional
	Master string `json:"master,omitempty"`

	// SpiderpoolConfigPools are the default pools written into the ipam block.
	// +optional
	SpiderpoolConfigPools *SpiderpoolPools `json:"ippools,omitempty"`
}

// OVSConfig configures the ovs plugin.
type OVSConfig struct {
	// BrName is the Open vSwitch bridge the pod port is added to.
	// +kubebuilder:validation:Required
	BrName string `json:"bridge,omitempty"`

	// VlanTag is the access VLAN of the port; 0 means none.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4094
	// +optional
	VlanTag *int32 `json:"vlan,omitempty"`

	// Trunk lists the VLANs allowed on a trunk port.
	// +optional
	Trunk []Trunk `json:"trunk,omitempty"`

	// DeviceID is the PCI address of a VF used for hardware offload.
	// +optional
	DeviceID string `json:"deviceID"`

	// SpiderpoolConfigPools are the default pools written into the ipam block.
	// +optional
	SpiderpoolConfigPools *SpiderpoolPools `json:"ippools,omitempty"`
}

// Trunk is a VLAN, or a range of VLANs, allowed on an OVS trunk port. The
// webhook requires minID <= maxID.
type Trunk struct {
	// MinID is the first VLAN of a range.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4094
	// +optional
	MinID *uint `json:"minID,omitempty"`

	// MaxID is the last VLAN of a range.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4094
	// +optional
	MaxID *uint `json:"maxID,omitempty"`

	// ID is a single VLAN.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4094
	// +optional
	ID *uint `json:"id,omitempty"`
}
