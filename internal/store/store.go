// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package store

import (
	"context"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Store writes the IPAM records. Reads go through client.Readers.
//
// Every write carries the object's resourceVersion as an optimistic lock;
// a write that loses the race fails with an error wrapping ErrConflict, and
// a create of an existing object does too.
type Store interface {
	// UpdatePoolStatus writes pool.Status through the status subresource,
	// on the condition that pool.ResourceVersion is current. On success
	// pool holds what the API server stored, including the new
	// resourceVersion.
	UpdatePoolStatus(ctx context.Context, pool *spiderpoolv2beta1.SpiderIPPool) error

	// CreateEndpoint creates ep; on success ep holds the stored object.
	CreateEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) error

	// UpdateEndpoint replaces ep on the condition that ep.ResourceVersion
	// is current; on success ep holds the stored object.
	UpdateEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) error

	// RemoveEndpointFinalizer removes spiderpoolv2beta1.SpiderFinalizer from
	// ep on the condition that ep.ResourceVersion is current; on success ep
	// holds the stored object (its new resourceVersion). An endpoint that
	// is gone, or has no finalizer, is not an error.
	RemoveEndpointFinalizer(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) error

	// DeleteEndpoint deletes ep on the condition that its UID is still
	// ep.UID and, when ep.ResourceVersion is set, that it has not changed
	// since. An endpoint that is gone is not an error.
	DeleteEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) error
}
