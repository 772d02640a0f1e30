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
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// Release serves a CNI DEL (docs/reference/behaviour.md §3.4). It is
// idempotent and reads the pod and the endpoint from the API server:
//   - a live pod of the same UID keeps its addresses (sandbox re-creation);
//   - an endpoint of another incarnation is left alone;
//   - a StatefulSet pod whose ordinal is still in range keeps its addresses
//     and endpoint (with EnableStatefulSet);
//   - otherwise every interface's addresses recorded for the UID are
//     released and the endpoint loses its finalizer (and is deleted when no
//     owner reference will do it).
//
// Every failure is returned, joined; nothing is swallowed.
func (s *Service) Release(ctx context.Context, req ReleaseRequest) error {
	if err := s.checkReady(); err != nil {
		return err
	}
	if _, err := s.release(ctx, req.PodNamespace, req.PodName, req.PodUID, false); err != nil {
		return fmt.Errorf("release pod %s/%s: %w", req.PodNamespace, req.PodName, err)
	}
	return nil
}

// release is Release for pod ns/name and uid ("" when unknown). force skips
// the live-pod and StatefulSet checks (batch release after a conflict). It
// reports whether it released an endpoint.
func (s *Service) release(ctx context.Context, ns, name, uid string, force bool) (bool, error) {
	unlock, err := s.pods.lock(ctx, ns+"/"+name)
	if err != nil {
		return false, err
	}
	defer unlock()
	return s.releaseLocked(ctx, ns, name, uid, force)
}

func (s *Service) releaseLocked(ctx context.Context, ns, name, uid string, force bool) (bool, error) {
	pod := &corev1.Pod{}
	err := s.api.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, pod)
	switch {
	case apierrors.IsNotFound(err):
		pod = nil
	case err != nil:
		return false, fmt.Errorf("read pod: %w", err)
	}
	if pod != nil && uid == "" {
		uid = string(pod.UID)
	}
	if !force && pod != nil && string(pod.UID) == uid && workload.PodAlive(pod) {
		return false, nil
	}
	ep, err := s.readEndpoint(ctx, ns, name, true)
	if err != nil || ep == nil {
		return false, err
	}
	if uid == "" {
		uid = ep.Status.Current.UID // the pod is gone and the runtime gave no UID
	}
	if ep.Status.Current.UID != uid {
		return false, nil
	}
	return s.releaseEndpoint(ctx, ep, force)
}

// releaseEndpoint frees every address of ep and lets the endpoint go.
func (s *Service) releaseEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint, force bool) (bool, error) {
	rule, owner := s.rules().OfEndpoint(ep)
	stateful := rule != workload.NotStatic
	if stateful && !force {
		valid, err := workload.Wanted(ctx, s.api, rule, ep.Namespace, ep.Name, owner)
		if err != nil || valid {
			return false, err
		}
	}
	uid := ep.Status.Current.UID
	podKey := ep.Namespace + "/" + ep.Name
	if err := s.releaseAddrs(ctx, podKey, uid, addrsByPool(ep.Status.Current.IPs)); err != nil {
		return false, err // the endpoint stays, so that a retry knows what to free
	}
	if !force { // after a conflict the quarantine must outlive the release
		s.quarantine.forget(uid)
	}
	s.containers.forget(uid)
	// A stateless endpoint is deleted by the garbage collector once its pod
	// is gone; the others, and the one of a pod that goes on (force), now.
	return true, s.dropEndpoint(ctx, ep, force || stateful || len(ep.OwnerReferences) == 0)
}

// dropEndpoint removes the finalizer of ep, and deletes it when del is set
// (no owner reference will). A conflict is retried from a fresh read for as
// long as the endpoint still belongs to the same pod UID.
func (s *Service) dropEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint, del bool) error {
	uid := ep.Status.Current.UID
	for attempt := 0; ; attempt++ {
		err := s.dropEndpointOnce(ctx, ep, del)
		if !errors.Is(err, ErrConflict) {
			return err
		}
		if werr := s.wait(ctx, attempt); werr != nil {
			return errors.Join(err, werr)
		}
		if ep, err = s.readEndpoint(ctx, ep.Namespace, ep.Name, true); err != nil || ep == nil {
			return err
		}
		if ep.Status.Current.UID != uid {
			return nil // a new incarnation owns it now
		}
	}
}

func (s *Service) dropEndpointOnce(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint, del bool) error {
	wctx, cancel := s.writeContext(ctx)
	defer cancel()
	cur := ep.DeepCopy() // the finalizer patch gives it the resourceVersion the delete is conditional on
	if slices.Contains(cur.Finalizers, spiderpoolv2beta1.SpiderFinalizer) {
		if err := s.endpointWritten(ep, s.store.RemoveEndpointFinalizer(wctx, cur)); err != nil {
			return err
		}
	}
	if !del {
		return nil
	}
	return s.endpointWritten(ep, s.store.DeleteEndpoint(wctx, cur))
}

// ReleaseAll is the batch release the plugin asks for after it found one
// of the pod's addresses in use on the wire: every address of the pod is
// released and its endpoint removed, so that the retried ADD allocates
// afresh; the conflicting addresses are kept from this pod for
// Config.ConflictQuarantine (docs/compatibility.md #6).
func (s *Service) ReleaseAll(ctx context.Context, req ReleaseAllRequest) error {
	if err := s.checkReady(); err != nil {
		return err
	}
	uid := req.PodUID
	if uid == "" {
		pod := &corev1.Pod{}
		if err := s.api.Get(ctx, client.ObjectKey{Namespace: req.PodNamespace, Name: req.PodName}, pod); err == nil {
			uid = string(pod.UID)
		} else if !apierrors.IsNotFound(err) {
			return fmt.Errorf("release all of pod %s/%s: read pod: %w", req.PodNamespace, req.PodName, err)
		}
	}
	s.quarantine.add(uid, req.ConflictIPs)
	if _, err := s.release(ctx, req.PodNamespace, req.PodName, uid, true); err != nil {
		return fmt.Errorf("release all of pod %s/%s: %w", req.PodNamespace, req.PodName, err)
	}
	return nil
}
