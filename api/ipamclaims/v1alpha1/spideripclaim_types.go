// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// IPClaimSpec says which address of which pool is held, and by whom. The
// address and the holder's name are immutable; the holder's UID changes
// when a re-created pod of the same name adopts the address.
type IPClaimSpec struct {
	// Pool is the name of the SpiderIPPool the address belongs to.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Pool string `json:"pool"`

	// IP is the address, without a prefix length, in canonical form
	// ("10.6.0.5", "fd00::5"). The claim's name is derived from pool and ip.
	// +kubebuilder:validation:MinLength=2
	// +kubebuilder:validation:MaxLength=39
	// +kubebuilder:validation:Pattern=`^[0-9a-f.:]+$`
	IP string `json:"ip"`

	// PodNamespace is the namespace of the holder.
	// +kubebuilder:validation:MaxLength=63
	PodNamespace string `json:"podNamespace"`

	// PodName is the name of the holder: the pod, or the KubeVirt VMI for VM
	// pods with static IPs, as in the pool's records.
	// +kubebuilder:validation:MaxLength=253
	PodName string `json:"podName"`

	// PodUID is the UID of the pod that holds the address. A release deletes
	// the claim with this UID as a precondition.
	// +kubebuilder:validation:MaxLength=64
	PodUID string `json:"podUID"`

	// Node is the node of the holder; empty for a claim adopted from a record
	// whose node is not known.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Node string `json:"node,omitempty"`

	// NIC is the interface of the pod the address is for; empty when it is
	// not known (records Spiderpool wrote do not say).
	// +kubebuilder:validation:MaxLength=64
	// +optional
	NIC string `json:"nic,omitempty"`

	// Adopted says the claim was created by the controller for a record it
	// found in the pool's status.allocatedIPs (written by Spiderpool), not by
	// an agent's allocation.
	// +optional
	Adopted bool `json:"adopted,omitempty"`
}

// SpiderIPClaim holds one address of a SpiderIPPool for one pod. Its name is
// "<pool>.<ip>" with the address's '.' and ':' spelled '-' (a hashed pool
// for names over 253 characters); creating it is the allocation, deleting
// it the release.
//
// +kubebuilder:resource:path=spideripclaims,singular=spideripclaim,scope=Cluster,shortName={sic},categories={spiderpool}
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="POOL",type=string,JSONPath=".spec.pool",description="pool"
// +kubebuilder:printcolumn:name="IP",type=string,JSONPath=".spec.ip",description="ip"
// +kubebuilder:printcolumn:name="NAMESPACE",type=string,JSONPath=".spec.podNamespace",description="pod namespace"
// +kubebuilder:printcolumn:name="POD",type=string,JSONPath=".spec.podName",description="pod name"
// +kubebuilder:printcolumn:name="NODE",type=string,JSONPath=".spec.node",description="node"
// +kubebuilder:printcolumn:name="NIC",type=string,JSONPath=".spec.nic",description="interface",priority=10
// +kubebuilder:printcolumn:name="ADOPTED",type=boolean,JSONPath=".spec.adopted",description="adopted from a status record",priority=10
// +kubebuilder:validation:XValidation:rule="self.metadata.name.endsWith('.' + (self.spec.ip.endsWith(':') ? (self.spec.ip.startsWith(':') ? '0' + self.spec.ip : self.spec.ip) + '0' : (self.spec.ip.startsWith(':') ? '0' + self.spec.ip : self.spec.ip)).replace('.', '-').replace(':', '-')) && (size(self.spec.pool + '.' + (self.spec.ip.endsWith(':') ? (self.spec.ip.startsWith(':') ? '0' + self.spec.ip : self.spec.ip) + '0' : (self.spec.ip.startsWith(':') ? '0' + self.spec.ip : self.spec.ip)).replace('.', '-').replace(':', '-')) > 253 || self.metadata.name == self.spec.pool + '.' + (self.spec.ip.endsWith(':') ? (self.spec.ip.startsWith(':') ? '0' + self.spec.ip : self.spec.ip) + '0' : (self.spec.ip.startsWith(':') ? '0' + self.spec.ip : self.spec.ip)).replace('.', '-').replace(':', '-'))",message="metadata.name must be <spec.pool>.<spec.ip with '.' and ':' spelled '-'> (e.g. pool p1, ip 10.0.0.5: p1.10-0-0-5); name the claim after its pool and address (internal/claims.Name)"
// +kubebuilder:object:root=true
type SpiderIPClaim struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the claim. Its address and the holder's name never change;
	// podUID, node, nic and adopted may, when a pod of the same name (a
	// StatefulSet or KubeVirt pod re-created) takes the address over.
	// +kubebuilder:validation:XValidation:rule="self.pool == oldSelf.pool && self.ip == oldSelf.ip && self.podNamespace == oldSelf.podNamespace && self.podName == oldSelf.podName",message="spec.pool, spec.ip, spec.podNamespace and spec.podName are immutable (only podUID, node, nic and adopted may change, when a pod of the same name takes the address over); delete the claim and create a new one"
	Spec IPClaimSpec `json:"spec"`
}

// SpiderIPClaimList is a list of SpiderIPClaim.
//
// +kubebuilder:object:root=true
type SpiderIPClaimList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the claims.
	Items []SpiderIPClaim `json:"items"`
}
