// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package kube

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

var _ store.Store = (*Store)(nil)

// Store writes the IPAM records through a controller-runtime client.
type Store struct {
	client client.Client
}

// New returns a Store writing through c, which should not be a cached
// client's reader side only: writes always go to the API server.
func New(c client.Client) *Store {
	return &Store{client: c}
}

// UpdatePoolStatus implements store.Store with a status-subresource update;
// the resourceVersion in pool is the precondition. A pool the claim storage
// keeps is refused (store.CheckWritable). A status too large to store
// (store.TooLarge) fails with the setting to lower.
func (s *Store) UpdatePoolStatus(ctx context.Context, pool *spiderpoolv2beta1.SpiderIPPool) error {
	if err := store.CheckWritable(pool); err != nil {
		return err
	}
	err := s.client.Status().Update(ctx, pool)
	if store.TooLarge(err) {
		return fmt.Errorf("SpiderIPPool %s: status.allocatedIPs with %d records is more than the API server stores: %s: %w",
			pool.Name, ptr.Deref(pool.Status.AllocatedIPCount, 0), store.TooLargeFix, err)
	}
	return mapErr(err)
}

// CreateEndpoint implements store.Store.
func (s *Store) CreateEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) error {
	return mapErr(s.client.Create(ctx, ep))
}

// UpdateEndpoint implements store.Store. SpiderEndpoint has no status
// subresource, so a plain update writes its status.
func (s *Store) UpdateEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) error {
	return mapErr(s.client.Update(ctx, ep))
}

// RemoveEndpointFinalizer implements store.Store with a merge patch of the
// finalizers that carries ep's resourceVersion.
func (s *Store) RemoveEndpointFinalizer(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) error {
	orig := ep.DeepCopy()
	if !controllerutil.RemoveFinalizer(ep, spiderpoolv2beta1.SpiderFinalizer) {
		return nil
	}
	patch := client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})
	err := s.client.Patch(ctx, ep, patch)
	if apierrors.IsNotFound(err) {
		return nil
	}
	return mapErr(err)
}

// DeleteEndpoint implements store.Store with UID and resourceVersion
// preconditions, so that a newer endpoint of the same name, or one another
// writer changed since it was read, is never deleted.
func (s *Store) DeleteEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) error {
	err := s.client.Delete(ctx, ep, store.DeletePreconditions(ep.UID, ep.ResourceVersion))
	if apierrors.IsNotFound(err) {
		return nil
	}
	return mapErr(err)
}

// mapErr reports a lost optimistic-concurrency race (409: conflict,
// already exists, failed precondition) as store.ErrConflict.
func mapErr(err error) error {
	if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	}
	return err
}
