// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NetworkAttachmentDefinitionSpec holds the CNI configuration of a network.
type NetworkAttachmentDefinitionSpec struct {
	// Config is the CNI configuration (a JSON conf or conflist) of the
	// network. Empty means the network's configuration is found elsewhere
	// (a file named after the resource on each node).
	// +optional
	Config string `json:"config"`
}

// NetworkAttachmentDefinition is Multus' description of a network a pod can
// attach to.
//
// +kubebuilder:resource:path=network-attachment-definitions,singular=network-attachment-definition,scope=Namespaced,shortName={net-attach-def}
// +kubebuilder:storageversion
// +kubebuilder:object:root=true
type NetworkAttachmentDefinition struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec holds the CNI configuration.
	// +optional
	Spec NetworkAttachmentDefinitionSpec `json:"spec,omitempty"`
}

// NetworkAttachmentDefinitionList is a list of NetworkAttachmentDefinition.
//
// +kubebuilder:object:root=true
type NetworkAttachmentDefinitionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the network attachment definitions.
	Items []NetworkAttachmentDefinition `json:"items"`
}
