// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package v1 holds the NetworkAttachmentDefinition type of the Multus API
// group k8s.cni.cncf.io/v1, which SpiderMultusConfig generates. Only the
// fields Spiderpool reads and writes are declared. The CRD generated from it
// (config/crd/nad) is installed where Multus is not.
//
// +kubebuilder:object:generate=true
// +groupName=k8s.cni.cncf.io
package v1
