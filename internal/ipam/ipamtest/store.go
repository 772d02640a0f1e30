// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamtest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// Method names a Store method, for counters and injection.
type Method string

// The Store methods.
const (
	UpdatePoolStatus        Method = "UpdatePoolStatus"
	CreateEndpoint          Method = "CreateEndpoint"
	UpdateEndpoint          Method = "UpdateEndpoint"
	RemoveEndpointFinalizer Method = "RemoveEndpointFinalizer"
	DeleteEndpoint          Method = "DeleteEndpoint"
)

var _ store.Store = (*Store)(nil)

// ErrInjected is the error FailNext injects when given none.
var ErrInjected = errors.New("injected failure")

// Store is an store.Store writing through a client, with call counters and
// failure injection. It is safe for concurrent use.
type Store struct {
	client client.Client

	// BeforeWrite, when set, runs before every write, outside the lock; an
	// error is returned instead of writing. Tests use it to change objects
	// behind the service's back (another agent's write).
	BeforeWrite func(ctx context.Context, m Method, obj client.Object) error

	mu     sync.Mutex
	calls  map[Method]int
	inject map[Method][]error
	after  map[Method][]error
}

// NewStore returns a Store writing through c.
func NewStore(c client.Client) *Store {
	return &Store{client: c, calls: map[Method]int{}, inject: map[Method][]error{}, after: map[Method][]error{}}
}

// FailNext makes the next len(errs) calls of m fail with errs, in order,
// without writing.
func (s *Store) FailNext(m Method, errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inject[m] = append(s.inject[m], errs...)
}

// FailAfterWrite makes the next len(errs) calls of m that write (after the
// failures of FailNext) fail with errs, in order, once the write is done: a
// write that landed although its answer says it failed (a 500 or a timeout
// after etcd committed).
func (s *Store) FailAfterWrite(m Method, errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.after[m] = append(s.after[m], errs...)
}

// Conflict returns an injected error that wraps store.ErrConflict.
func Conflict() error { return fmt.Errorf("injected: %w", store.ErrConflict) }

// Calls returns how often m was called, injected failures included.
func (s *Store) Calls(m Method) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[m]
}

func (s *Store) begin(ctx context.Context, m Method, obj client.Object) error {
	s.mu.Lock()
	s.calls[m]++
	var err error
	if q := s.inject[m]; len(q) > 0 {
		err, s.inject[m] = q[0], q[1:]
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if s.BeforeWrite != nil {
		return s.BeforeWrite(ctx, m, obj)
	}
	return nil
}

// end returns err, or the next FailAfterWrite error of m if the write
// succeeded.
func (s *Store) end(m Method, err error) error {
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.after[m]; len(q) > 0 {
		err, s.after[m] = q[0], q[1:]
	}
	return err
}

// UpdatePoolStatus implements store.Store, refusing a pool the claim
// storage keeps as the real one does.
func (s *Store) UpdatePoolStatus(ctx context.Context, pool *spiderpoolv2beta1.SpiderIPPool) error {
	if err := s.begin(ctx, UpdatePoolStatus, pool); err != nil {
		return err
	}
	if err := store.CheckWritable(pool); err != nil {
		return err
	}
	return s.end(UpdatePoolStatus, mapErr(s.client.Status().Update(ctx, pool)))
}

// CreateEndpoint implements store.Store.
func (s *Store) CreateEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) error {
	if err := s.begin(ctx, CreateEndpoint, ep); err != nil {
		return err
	}
	return s.end(CreateEndpoint, mapErr(s.client.Create(ctx, ep)))
}

// UpdateEndpoint implements store.Store.
func (s *Store) UpdateEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) error {
	if err := s.begin(ctx, UpdateEndpoint, ep); err != nil {
		return err
	}
	return s.end(UpdateEndpoint, mapErr(s.client.Update(ctx, ep)))
}

// RemoveEndpointFinalizer implements store.Store.
func (s *Store) RemoveEndpointFinalizer(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) error {
	if err := s.begin(ctx, RemoveEndpointFinalizer, ep); err != nil {
		return err
	}
	if !controllerutil.RemoveFinalizer(ep, spiderpoolv2beta1.SpiderFinalizer) {
		return nil
	}
	err := s.client.Update(ctx, ep)
	if apierrors.IsNotFound(err) {
		err = nil
	}
	return s.end(RemoveEndpointFinalizer, mapErr(err))
}

// DeleteEndpoint implements store.Store with the UID and resourceVersion
// preconditions of ep.
func (s *Store) DeleteEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) error {
	if err := s.begin(ctx, DeleteEndpoint, ep); err != nil {
		return err
	}
	err := s.client.Delete(ctx, ep, store.DeletePreconditions(ep.UID, ep.ResourceVersion))
	if apierrors.IsNotFound(err) {
		err = nil
	}
	return s.end(DeleteEndpoint, mapErr(err))
}

func mapErr(err error) error {
	if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	}
	return err
}
