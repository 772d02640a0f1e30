// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package annotation parses and validates the pod and namespace annotations
// Spiderpool reads (docs/reference/interface.md §3.1, §3.2), plus the two
// Multus annotations the agent consults to match a pool's spec.multusName
// (docs/reference/interface.md §3.4).
//
// Each annotation has a Key* constant and a Parse* function that takes the
// raw value. [Lookup] applies a parser to a map of annotations and reports
// whether the key was present. Every parse failure is an [*Error] that names
// the annotation key, says what is wrong and shows the expected form.
//
// Parsing is pure: no I/O, no state and no Kubernetes imports, so the
// agent, the controller and the webhooks can share it. Unknown JSON fields
// are ignored, as in Spiderpool, so manifests written for Spiderpool keep
// working. Rules that need cluster state (does a pool exist, does the
// current ifName appear, does a wildcard match) are left to the caller.
package annotation
