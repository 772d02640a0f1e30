// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package v2beta1 holds the Go types of the spiderpool.spidernet.io/v2beta1
// API: SpiderIPPool, SpiderSubnet, SpiderReservedIP, SpiderEndpoint,
// SpiderMultusConfig and SpiderCoordinator.
//
// The types are wire-compatible with Spiderpool v1.0 (field names, defaults,
// short names and printer columns), so objects written by Spiderpool are read
// as they are. Two status fields keep Spiderpool's JSON-in-a-string format:
// SpiderIPPool status.allocatedIPs and SpiderSubnet status.controlledIPPools;
// use ParseAllocatedIPs/FormatAllocatedIPs and
// ParseControlledIPPools/FormatControlledIPPools to read and write them.
//
// The CRD manifests in config/crd/bases are generated from these types by
// controller-gen; every field comment becomes the field's description.
//
// Every spec field the CRD marks required has omitempty (or is a pointer):
// the mutating webhooks decode the object into these types and encode it
// back, so without it a missing field would come back as "" and the API
// server would report an invalid empty value instead of a missing one.
// Status fields keep the JSON Spiderpool writes: SpiderEndpoint's
// interface, for one, is written as "" for a NIC not yet named. The
// immutable fields (ipVersion, subnet) carry no CEL rule: the validating
// webhook checks them and names the old and the new value.
//
// +kubebuilder:object:generate=true
// +groupName=spiderpool.spidernet.io
package v2beta1
