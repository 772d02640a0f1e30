// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SubnetSpec is the desired state of a SpiderSubnet: a network whose IPs are
// handed to the SpiderIPPools of the same CIDR, including auto-created pools.
type SubnetSpec struct {
	// IPVersion is the IP family of the subnet, 4 or 6. The mutating webhook
	// derives it from subnet when unset. Immutable.
	// +kubebuilder:validation:Enum=4;6
	// +optional
	IPVersion *int64 `json:"ipVersion,omitempty"`

	// Subnet is the network in canonical CIDR form, e.g. "10.6.0.0/16".
	// Immutable.
	// +kubebuilder:validation:Required
	Subnet string `json:"subnet,omitempty"`

	// IPs lists the addresses of the subnet that pools may take, each a
	// single IP or an inclusive range "first-last". Merged by the webhook.
	// +optional
	IPs []string `json:"ips,omitempty"`

	// ExcludeIPs lists single IPs or inclusive ranges that no pool may take.
	// +optional
	ExcludeIPs []string `json:"excludeIPs,omitempty"`

	// Gateway is the default gateway copied into pools of this subnet that
	// set none; it must lie inside subnet.
	// +optional
	Gateway *string `json:"gateway,omitempty"`

	// Routes are copied into pools of this subnet whose routes are nil.
	// +optional
	Routes []Route `json:"routes,omitempty"`
}

// SubnetStatus is the observed state of a SpiderSubnet.
type SubnetStatus struct {
	// ControlledIPPools is a JSON object, kept as a string for
	// compatibility with Spiderpool, that maps each pool name to the IPs the
	// pool took from this subnet:
	// {"<pool>":{"ips":["<range>"],"application":"<group>_<version>_<Kind>_<namespace>_<name>"}}.
	// application is only set for auto-created pools. Read and write it with
	// ParseControlledIPPools and FormatControlledIPPools.
	// +optional
	ControlledIPPools *string `json:"controlledIPPools,omitempty"`

	// TotalIPCount is the number of IPs in ips minus those in excludeIPs.
	// +kubebuilder:validation:Minimum=0
	// +optional
	TotalIPCount *int64 `json:"totalIPCount,omitempty"`

	// AllocatedIPCount is the number of IPs handed to pools.
	// +kubebuilder:validation:Minimum=0
	// +optional
	AllocatedIPCount *int64 `json:"allocatedIPCount,omitempty"`
}

// SpiderSubnet is a network from which SpiderIPPools, manual or
// auto-created for an application, take their IPs.
//
// +kubebuilder:resource:path=spidersubnets,singular=spidersubnet,scope=Cluster,shortName={ss},categories={spiderpool}
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="VERSION",type=string,JSONPath=".spec.ipVersion",description="ipVersion"
// +kubebuilder:printcolumn:name="SUBNET",type=string,JSONPath=".spec.subnet",description="subnet"
// +kubebuilder:printcolumn:name="ALLOCATED-IP-COUNT",type=integer,JSONPath=".status.allocatedIPCount",description="allocatedIPCount"
// +kubebuilder:printcolumn:name="TOTAL-IP-COUNT",type=integer,JSONPath=".status.totalIPCount",description="totalIPCount"
// +kubebuilder:object:root=true
type SpiderSubnet struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state of the subnet.
	// +optional
	Spec SubnetSpec `json:"spec,omitempty"`

	// Status is the observed state of the subnet, written by Spiderpool.
	// +optional
	Status SubnetStatus `json:"status,omitempty"`
}

// SpiderSubnetList is a list of SpiderSubnet.
//
// +kubebuilder:object:root=true
type SpiderSubnetList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the subnets.
	Items []SpiderSubnet `json:"items"`
}
