// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"fmt"

	"github.com/spiderpool-go/spiderpool/internal/workload"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// getCachedOrFresh reads key from the cache and, when the cache does not
// have it (yet), from the API server. It returns (false, nil) when neither
// has it.
func (s *Service) getCachedOrFresh(ctx context.Context, key client.ObjectKey, obj client.Object) (bool, error) {
	err := s.cache.Get(ctx, key, obj)
	if apierrors.IsNotFound(err) {
		err = s.api.Get(ctx, key, obj)
	}
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// livePod returns the pod of an ADD, refusing a dead pod or another
// incarnation than the one the runtime named. A cached pod with another UID
// is re-read from the API server, since the cache may lag a re-creation.
func (s *Service) livePod(ctx context.Context, req *AllocateRequest) (*corev1.Pod, error) {
	key := client.ObjectKey{Namespace: req.PodNamespace, Name: req.PodName}
	pod := &corev1.Pod{}
	found, err := s.getCachedOrFresh(ctx, key, pod)
	if err == nil && found && req.PodUID != "" && string(pod.UID) != req.PodUID {
		err = s.api.Get(ctx, key, pod)
	}
	switch {
	case apierrors.IsNotFound(err) || (err == nil && !found):
		return nil, fmt.Errorf("%w: pod %s not found", ErrPodNotAlive, key)
	case err != nil:
		return nil, fmt.Errorf("read pod %s: %w", key, err)
	case req.PodUID != "" && string(pod.UID) != req.PodUID:
		return nil, fmt.Errorf("%w: pod %s is now UID %s, not %s", ErrPodNotAlive, key, pod.UID, req.PodUID)
	case !workload.PodAlive(pod):
		return nil, fmt.Errorf("%w: pod %s is terminating or has finished (phase %q)", ErrPodNotAlive, key,
			pod.Status.Phase)
	}
	return pod, nil
}
