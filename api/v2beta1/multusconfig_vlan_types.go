// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1

// VlanConfig configures the vlan plugin (cniType vlan, added by Spiderpool
// v1.2): the pod interface is a VLAN sub-interface of the master, or of the
// bond made of the masters.
type VlanConfig struct {
	// Master lists the host interfaces; with two or more, bond is required
	// and the interfaces are bonded.
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:MinItems=1
	Master []string `json:"master,omitempty"`

	// MTU is the MTU of the pod interface; 0 keeps the kernel's default.
	// +kubebuilder:validation:Minimum=0
	// +optional
	MTU *int32 `json:"mtu,omitempty"`

	// VlanMode is manual (the VLAN ID is vlanID, which is then required)
	// or auto (vlanID must be unset).
	// +kubebuilder:default=manual
	// +kubebuilder:validation:Enum=manual;auto
	// +optional
	VlanMode *string `json:"vlanMode,omitempty"`

	// VlanID is the VLAN ID of the pod interface.
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
