// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package store is the storage contract of the IPAM records shared by the
// agent (internal/ipam) and the controller's garbage collector
// (internal/gc): the Store of conditional writes, the errors a write
// reports (a lost race, a record that cannot be parsed), how to tell a
// write that may have landed from one that did not, and the back-off
// between retries. internal/store/kube implements Store with the
// controller-runtime client.
package store
