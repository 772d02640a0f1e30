// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// IPPoolSpec is the desired state of a SpiderIPPool: the addresses it hands
// out and the pods, namespaces, nodes and networks it serves.
type IPPoolSpec struct {
	// IPVersion is the IP family of the pool, 4 or 6. The mutating webhook
	// derives it from subnet when unset. Immutable.
	// +kubebuilder:validation:Enum=4;6
	// +optional
	IPVersion *int64 `json:"ipVersion,omitempty"`

	// Subnet is the network of the pool in canonical CIDR form, e.g.
	// "10.6.0.0/16". Immutable.
	// +kubebuilder:validation:Required
	Subnet string `json:"subnet,omitempty"`

	// IPs lists the addresses the pool may hand out, each a single IP
	// ("10.6.0.10") or an inclusive range ("10.6.0.10-10.6.0.20"). The
	// mutating webhook merges the list into sorted, minimal ranges.
	// +optional
	IPs []string `json:"ips,omitempty"`

	// ExcludeIPs lists single IPs or inclusive ranges that are never handed
	// out, even when they are in ips.
	// +optional
	ExcludeIPs []string `json:"excludeIPs,omitempty"`

	// Gateway is the default gateway returned with every IP of the pool; it
	// must lie inside subnet. Inherited from the owning SpiderSubnet when
	// unset.
	// +optional
	Gateway *string `json:"gateway,omitempty"`

	// Routes are extra routes returned with every IP of the pool. Inherited
	// from the owning SpiderSubnet when nil; an explicit empty list is kept.
	// +optional
	Routes []Route `json:"routes,omitempty"`

	// PodAffinity selects, by pod labels, the pods that may use this pool.
	// It must not be empty when set.
	// +optional
	PodAffinity *metav1.LabelSelector `json:"podAffinity,omitempty"`

	// NamespaceAffinity selects, by namespace labels, the namespaces whose
	// pods may use this pool. Ignored when namespaceName is set.
	// +optional
	NamespaceAffinity *metav1.LabelSelector `json:"namespaceAffinity,omitempty"`

	// NamespaceName lists the namespaces whose pods may use this pool. It
	// takes priority over namespaceAffinity.
	// +optional
	NamespaceName []string `json:"namespaceName,omitempty"`

	// NodeAffinity selects, by node labels, the nodes whose pods may use this
	// pool. Ignored when nodeName is set.
	// +optional
	NodeAffinity *metav1.LabelSelector `json:"nodeAffinity,omitempty"`

	// NodeName lists the nodes whose pods may use this pool. It takes
	// priority over nodeAffinity.
	// +optional
	NodeName []string `json:"nodeName,omitempty"`

	// MultusName lists the NetworkAttachmentDefinitions, as "namespace/name"
	// or "name", whose interfaces may use this pool. A bare name is taken to
	// be in the namespace of spiderpool-agent.
	// +optional
	MultusName []string `json:"multusName,omitempty"`

	// Default marks a cluster default pool, used when no other pool
	// selection rule applies to a pod.
	// +kubebuilder:default=false
	// +optional
	Default *bool `json:"default,omitempty"`

	// Disable stops the pool from handing out new IPs; IPs already allocated
	// stay allocated.
	// +kubebuilder:default=false
	// +optional
	Disable *bool `json:"disable,omitempty"`
}

// IPPoolStatus is the observed state of a SpiderIPPool.
type IPPoolStatus struct {
	// AllocatedIPs is a JSON object, kept as a string for compatibility with
	// Spiderpool, that maps each allocated IP to its holder:
	// {"<ip>":{"pod":"<namespace>/<name>","podUid":"<uid>"}}. Absent when no
	// IP is allocated. Read and write it with ParseAllocatedIPs and
	// FormatAllocatedIPs.
	// +optional
	AllocatedIPs *string `json:"allocatedIPs,omitempty"`

	// TotalIPCount is the number of IPs in ips minus those in excludeIPs.
	// +kubebuilder:validation:Minimum=0
	// +optional
	TotalIPCount *int64 `json:"totalIPCount,omitempty"`

	// AllocatedIPCount is the number of entries in allocatedIPs.
	// +kubebuilder:validation:Minimum=0
	// +optional
	AllocatedIPCount *int64 `json:"allocatedIPCount,omitempty"`
}

// SpiderIPPool is a pool of IP addresses that Spiderpool hands out to pods.
//
// +kubebuilder:resource:path=spiderippools,singular=spiderippool,scope=Cluster,shortName={sp},categories={spiderpool}
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="VERSION",type=string,JSONPath=".spec.ipVersion",description="ipVersion"
// +kubebuilder:printcolumn:name="SUBNET",type=string,JSONPath=".spec.subnet",description="subnet"
// +kubebuilder:printcolumn:name="ALLOCATED-IP-COUNT",type=integer,JSONPath=".status.allocatedIPCount",description="allocatedIPCount"
// +kubebuilder:printcolumn:name="TOTAL-IP-COUNT",type=integer,JSONPath=".status.totalIPCount",description="totalIPCount"
// +kubebuilder:printcolumn:name="DEFAULT",type=boolean,JSONPath=".spec.default",description="default"
// +kubebuilder:printcolumn:name="DISABLE",type=boolean,JSONPath=".spec.disable",description="disable",priority=10
// +kubebuilder:printcolumn:name="NodeName",type=string,JSONPath=".spec.nodeName",description="nodeName",priority=10
// +kubebuilder:printcolumn:name="MultusName",type=string,JSONPath=".spec.multusName",description="multusName",priority=10
// +kubebuilder:printcolumn:name="APP-NAMESPACE",type=string,JSONPath=".spec.podAffinity.matchLabels['ipam\\.spidernet\\.io/app\\-namespace']",description="app namespace of an auto-created pool",priority=10
// +kubebuilder:object:root=true
type SpiderIPPool struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state of the pool.
	// +optional
	Spec IPPoolSpec `json:"spec,omitempty"`

	// Status is the observed state of the pool, written by Spiderpool.
	// +optional
	Status IPPoolStatus `json:"status,omitempty"`
}

// SpiderIPPoolList is a list of SpiderIPPool.
//
// +kubebuilder:object:root=true
type SpiderIPPoolList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the pools.
	Items []SpiderIPPool `json:"items"`
}
