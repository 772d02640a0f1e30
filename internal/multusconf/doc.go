// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package multusconf turns a SpiderMultusConfig into the Multus
// NetworkAttachmentDefinition Spiderpool generates from it
// (docs/reference/interface.md §7, docs/reference/behaviour.md §9.3): its
// name, its annotations and the CNI configuration list in spec.config,
// with the plugin chain of each cniType and the keys of each plugin in
// Spiderpool's order.
//
// It is pure: no Kubernetes client, no I/O. The controller
// (internal/controller) sets the owner reference and writes the object.
package multusconf
