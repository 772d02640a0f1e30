// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import "context"

// Handler is what the agent implements. The server (package agentserver) has already decoded
// and validated each request, and calls the IPAM methods only while
// Healthy returns nil. Return an *Error to choose the code the plugin sees;
// any other error is reported as [CodeInternal] with its text.
type Handler interface {
	// Healthy returns nil once the agent has restored its state and synced
	// its cache, else an error saying what it waits for. It must be cheap:
	// the server calls it before every other method.
	Healthy(ctx context.Context) error
	// Allocate serves CNI ADD. Calls for an interface that already has
	// addresses return them again.
	Allocate(ctx context.Context, req *AddRequest) (*AddResponse, error)
	// Release serves CNI DEL. Releasing what is not allocated succeeds.
	Release(ctx context.Context, req *DelRequest) error
	// ReleaseAll releases every address recorded for the pod.
	ReleaseAll(ctx context.Context, req *BatchDelRequest) error
	// Check returns the record of the pod UID and interface, or an *Error
	// with CodeNotFound.
	Check(ctx context.Context, req *CheckRequest) (*CheckResponse, error)
	// GC releases the node's allocations whose container ID is not among
	// req.ValidAttachments.
	GC(ctx context.Context, req *GCRequest) error
}
