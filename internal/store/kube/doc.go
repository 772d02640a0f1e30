// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package kube implements the store.Store of internal/store with the
// controller-runtime client: SpiderIPPool status updates through the status
// subresource and SpiderEndpoint writes, each guarded by the object's
// resourceVersion (or UID for deletes) so that concurrent agents never
// overwrite each other. A lost race is reported as store.ErrConflict, with
// the API error kept in the chain.
package kube
