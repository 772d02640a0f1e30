// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// errStaleEndpoint means a SpiderEndpoint changed since it was read; the
// operation starts over from fresh reads.
var errStaleEndpoint = fmt.Errorf("SpiderEndpoint changed meanwhile: %w", ErrConflict)

// readEndpoint returns the endpoint ns/name, or nil when there is none,
// from the cache or, when fresh, from the API server.
func (s *Service) readEndpoint(ctx context.Context, ns, name string, fresh bool) (*spiderpoolv2beta1.SpiderEndpoint, error) {
	reader := s.cache
	if fresh {
		reader = s.api
	}
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	err := reader.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, ep)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read SpiderEndpoint %s/%s: %w", ns, name, err)
	}
	return ep, nil
}

// newEndpoint returns the endpoint object name of a pod: the finalizer,
// and an owner reference to the pod unless the endpoint must outlive it
// (StatefulSet pods with EnableStatefulSet, KubeVirt VMs with
// EnableKubevirtStaticIP, whose endpoint is named after the VMI).
func newEndpoint(pod *corev1.Pod, name string, keepAfterPod bool) *spiderpoolv2beta1.SpiderEndpoint {
	ep := &spiderpoolv2beta1.SpiderEndpoint{ObjectMeta: metav1.ObjectMeta{
		Namespace: pod.Namespace, Name: name, Finalizers: []string{spiderpoolv2beta1.SpiderFinalizer},
	}}
	if !keepAfterPod {
		ep.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: kindPod, Name: pod.Name, UID: pod.UID}}
	}
	return ep
}

// writeContext bounds a write that must run to completion even when the
// caller has given up, so that its outcome is known.
func (s *Service) writeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), s.cfg.WriteTimeout)
}

// saveEndpoint creates ep, or updates it when update is set.
func (s *Service) saveEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint, update bool) error {
	wctx, cancel := s.writeContext(ctx)
	defer cancel()
	var err error
	if update {
		err = s.store.UpdateEndpoint(wctx, ep)
	} else {
		err = s.store.CreateEndpoint(wctx, ep)
	}
	return s.endpointWritten(ep, err)
}

// endpointWritten counts a write and turns a conflict, or an update of an
// endpoint deleted meanwhile, into errStaleEndpoint.
func (s *Service) endpointWritten(ep *spiderpoolv2beta1.SpiderEndpoint, err error) error {
	s.stats.endpointWrites.Add(1)
	switch {
	case errors.Is(err, ErrConflict) || (apierrors.IsNotFound(err) && ep.ResourceVersion != ""):
		s.stats.endpointConflicts.Add(1)
		return fmt.Errorf("SpiderEndpoint %s/%s: %w", ep.Namespace, ep.Name, errStaleEndpoint)
	case err != nil:
		return fmt.Errorf("write SpiderEndpoint %s/%s: %w", ep.Namespace, ep.Name, err)
	}
	return nil
}

// retireEndpoint removes the finalizer of ep and deletes it, on the
// condition that it has not changed since it was read.
func (s *Service) retireEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) error {
	wctx, cancel := s.writeContext(ctx)
	defer cancel()
	cur := ep.DeepCopy()
	if slices.Contains(cur.Finalizers, spiderpoolv2beta1.SpiderFinalizer) {
		if err := s.endpointWritten(ep, s.store.RemoveEndpointFinalizer(wctx, cur)); err != nil {
			return err
		}
	}
	return s.endpointWritten(ep, s.store.DeleteEndpoint(wctx, cur))
}
