// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ReservedIPSpec lists IPs that no pool of the same IP version hands out.
type ReservedIPSpec struct {
	// IPVersion is the IP family of the reserved IPs, 4 or 6. The mutating
	// webhook derives it from the first entry of ips when unset. Immutable.
	// +kubebuilder:validation:Enum=4;6
	// +optional
	IPVersion *int64 `json:"ipVersion,omitempty"`

	// IPs lists the reserved addresses, each a single IP or an inclusive
	// range "first-last". Merged by the webhook.
	// +optional
	IPs []string `json:"ips,omitempty"`
}

// SpiderReservedIP reserves IPs: they are skipped by the allocation in every
// SpiderIPPool of the same IP version.
//
// +kubebuilder:resource:path=spiderreservedips,singular=spiderreservedip,scope=Cluster,shortName={sr},categories={spiderpool}
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="VERSION",type=string,JSONPath=".spec.ipVersion",description="ipVersion"
// +kubebuilder:object:root=true
type SpiderReservedIP struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec lists the reserved IPs.
	// +optional
	Spec ReservedIPSpec `json:"spec,omitempty"`
}

// SpiderReservedIPList is a list of SpiderReservedIP.
//
// +kubebuilder:object:root=true
type SpiderReservedIPList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the reserved IP objects.
	Items []SpiderReservedIP `json:"items"`
}
