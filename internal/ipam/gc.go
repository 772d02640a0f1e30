// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// GC serves a CNI GC for this node: it releases the allocations recorded on
// node whose pod is gone or re-created, and returns how many endpoints it
// released.
//
// A pod that still exists with the endpoint's UID is never released here,
// whatever its state: a terminating pod may still serve within its grace
// period, and is left to its own DEL and to the controller's GC, which
// applies the grace periods. SpiderEndpoint has no container ID, so a
// sandbox is matched to its pod UID through a node-local map filled by
// Allocate: an endpoint is also skipped while a sandbox of its UID is in
// validContainerIDs. The pod is read from the API server before anything
// is released, exactly as a DEL would (StatefulSet pods in range keep their
// addresses).
func (s *Service) GC(ctx context.Context, node string, validContainerIDs []string) (int, error) {
	if err := s.checkReady(); err != nil {
		return 0, err
	}
	var list spiderpoolv2beta1.SpiderEndpointList
	if err := s.cache.List(ctx, &list); err != nil {
		return 0, fmt.Errorf("GC: list SpiderEndpoints: %w", err)
	}
	valid := make(map[string]bool, len(validContainerIDs))
	for _, id := range validContainerIDs {
		valid[id] = true
	}
	released := 0
	var errs []error
	for i := range list.Items {
		ep := &list.Items[i]
		if ep.Status.Current.Node != node || s.containers.anyValid(ep.Status.Current.UID, valid) {
			continue
		}
		if s.cachedPodExists(ctx, ep) {
			continue
		}
		done, err := s.release(ctx, ep.Namespace, ep.Name, ep.Status.Current.UID, releaseOpts{gc: true})
		if err != nil {
			errs = append(errs, fmt.Errorf("GC pod %s/%s: %w", ep.Namespace, ep.Name, err))
		}
		if done {
			released++
		}
	}
	return released, errors.Join(errs...)
}

// cachedPodExists reports whether the cache holds the endpoint's pod of
// the same UID; only when it does not is the API server asked.
func (s *Service) cachedPodExists(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) bool {
	pod := &corev1.Pod{}
	if err := s.cache.Get(ctx, client.ObjectKey{Namespace: ep.Namespace, Name: ep.Name}, pod); err != nil {
		return false
	}
	return string(pod.UID) == ep.Status.Current.UID
}
