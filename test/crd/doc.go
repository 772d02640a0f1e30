// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package crd tests the generated CRDs (config/crd/bases and config/crd/nad)
// against a real kube-apiserver started by envtest: they install, accept
// valid objects, reject invalid ones with the schema's message, print the
// documented columns through kubectl, and stay in sync with the Go types.
// It has only tests.
package crd
