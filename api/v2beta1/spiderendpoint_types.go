// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// WorkloadEndpointStatus records the IPs allocated to a pod and the
// controller that owns the pod.
type WorkloadEndpointStatus struct {
	// Current is the allocation of the pod incarnation that holds the IPs.
	// +kubebuilder:validation:Required
	Current PodIPAllocation `json:"current"`

	// OwnerControllerType is the kind of the pod's top controller, e.g. Pod,
	// Deployment, StatefulSet or VirtualMachineInstance.
	// +kubebuilder:validation:Required
	OwnerControllerType string `json:"ownerControllerType"`

	// OwnerControllerName is the name of the pod's top controller.
	// +kubebuilder:validation:Required
	OwnerControllerName string `json:"ownerControllerName"`
}

// PodIPAllocation is the set of IPs allocated to one pod incarnation.
type PodIPAllocation struct {
	// UID is the UID of the pod the IPs were allocated to.
	// +kubebuilder:validation:Required
	UID string `json:"uid"`

	// Node is the name of the node the pod runs on.
	// +kubebuilder:validation:Required
	Node string `json:"node"`

	// IPs lists the allocation of each interface of the pod.
	// +kubebuilder:validation:Required
	IPs []IPAllocationDetail `json:"ips"`
}

// IPAllocationDetail is the allocation of one pod interface.
type IPAllocationDetail struct {
	// NIC is the name of the pod interface, e.g. "eth0" or "net1".
	// +kubebuilder:validation:Required
	NIC string `json:"interface"`

	// IPv4 is the IPv4 address with the prefix length of its pool's
	// subnet, e.g. "10.6.0.10/16".
	// +optional
	IPv4 *string `json:"ipv4,omitempty"`

	// IPv6 is the IPv6 address with the prefix length of its pool's subnet.
	// +optional
	IPv6 *string `json:"ipv6,omitempty"`

	// IPv4Pool is the name of the SpiderIPPool the IPv4 address came from.
	// +optional
	IPv4Pool *string `json:"ipv4Pool,omitempty"`

	// IPv6Pool is the name of the SpiderIPPool the IPv6 address came from.
	// +optional
	IPv6Pool *string `json:"ipv6Pool,omitempty"`

	// Vlan is deprecated and always 0.
	// +kubebuilder:default=0
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4094
	// +optional
	Vlan *int64 `json:"vlan,omitempty"`

	// IPv4Gateway is the IPv4 gateway returned with the address.
	// +optional
	IPv4Gateway *string `json:"ipv4Gateway,omitempty"`

	// IPv6Gateway is the IPv6 gateway returned with the address.
	// +optional
	IPv6Gateway *string `json:"ipv6Gateway,omitempty"`

	// CleanGateway is true when no default route is set for this interface.
	// +optional
	CleanGateway *bool `json:"cleanGateway,omitempty"`

	// Routes are the routes returned for this interface.
	// +optional
	Routes []Route `json:"routes,omitempty"`

	// MAC is the interface's MAC address. Spiderpool v1.2 added it; this
	// project keeps it when another writer set it and does not write it.
	// +optional
	MAC *string `json:"mac,omitempty"`
}

// SpiderEndpoint records the IPs Spiderpool allocated to a pod. It is named
// and namespaced like the pod (or its KubeVirt VMI) and written by
// spiderpool-agent. status is a plain field, not a subresource: it is written
// with a normal create or update.
//
// +kubebuilder:resource:path=spiderendpoints,singular=spiderendpoint,scope=Namespaced,shortName={se},categories={spiderpool}
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="INTERFACE",type=string,JSONPath=".status.current.ips[0].interface",description="interface"
// +kubebuilder:printcolumn:name="IPV4POOL",type=string,JSONPath=".status.current.ips[0].ipv4Pool",description="ipv4Pool"
// +kubebuilder:printcolumn:name="IPV4",type=string,JSONPath=".status.current.ips[0].ipv4",description="ipv4"
// +kubebuilder:printcolumn:name="IPV6POOL",type=string,JSONPath=".status.current.ips[0].ipv6Pool",description="ipv6Pool"
// +kubebuilder:printcolumn:name="IPV6",type=string,JSONPath=".status.current.ips[0].ipv6",description="ipv6"
// +kubebuilder:printcolumn:name="NODE",type=string,JSONPath=".status.current.node",description="node"
// +kubebuilder:selectablefield:JSONPath=".status.current.node"
// +kubebuilder:object:root=true
type SpiderEndpoint struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Status records the pod's IP allocation.
	// +optional
	Status WorkloadEndpointStatus `json:"status,omitempty"`
}

// SpiderEndpointList is a list of SpiderEndpoint.
//
// +kubebuilder:object:root=true
type SpiderEndpointList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the endpoints.
	Items []SpiderEndpoint `json:"items"`
}
