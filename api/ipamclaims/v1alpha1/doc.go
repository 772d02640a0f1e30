// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package v1alpha1 holds the Go types of the ipam.spiderpool-go.io/v1alpha1
// API: SpiderIPClaim, one object per allocated address of a SpiderIPPool.
//
// This group is ours, not Spiderpool's (docs/compatibility.md, "Other
// differences"). A claim is the truth about one allocated address: the API
// server's create of the claim's name (derived from pool and address, see
// internal/claims) is the atomic allocation, and the pool's
// status.allocatedIPs is a projection of its claims written by the elected
// controller (docs/ipam.md, "The storage we choose next"). The controller
// uses it only when SPIDERPOOL_CLAIM_STORAGE is true.
//
// The CRD carries CEL rules that only use what Kubernetes offers since CEL
// validation exists (string functions, no ip() library), so the CRD installs
// on every cluster the chart supports, whether the switch is on or not.
//
// +kubebuilder:object:generate=true
// +groupName=ipam.spiderpool-go.io
package v1alpha1
