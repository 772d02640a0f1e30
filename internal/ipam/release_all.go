// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ReleaseAll is the batch release the plugin asks for after it found one
// of the pod's addresses in use on the wire: every address of the pod is
// released and its endpoint removed, so that the retried ADD allocates
// afresh; the conflicting addresses are kept from this pod for
// Config.ConflictQuarantine (docs/compatibility.md #6). With
// IsReleaseConflictIPs, a StatefulSet or KubeVirt pod is refused with
// ErrStaticPod: its addresses are fixed.
func (s *Service) ReleaseAll(ctx context.Context, req ReleaseAllRequest) error {
	if err := s.checkReady(); err != nil {
		return err
	}
	pod := &corev1.Pod{}
	err := s.api.Get(ctx, client.ObjectKey{Namespace: req.PodNamespace, Name: req.PodName}, pod)
	switch {
	case apierrors.IsNotFound(err):
		pod = nil
	case err != nil:
		return fmt.Errorf("release all of pod %s/%s: read pod: %w", req.PodNamespace, req.PodName, err)
	}
	uid := req.PodUID
	if pod != nil && uid == "" {
		uid = string(pod.UID)
	}
	if err := s.mayReleaseAll(pod, req); err != nil {
		return fmt.Errorf("release all of pod %s/%s: %w", req.PodNamespace, req.PodName, err)
	}
	s.quarantine.add(uid, req.ConflictIPs)
	if _, err := s.release(ctx, req.PodNamespace, req.PodName, uid, releaseOpts{force: true}); err != nil {
		return fmt.Errorf("release all of pod %s/%s: %w", req.PodNamespace, req.PodName, err)
	}
	return nil
}

// mayReleaseAll refuses a batch release of a pod on another node, and,
// for a conflict release, of a pod whose addresses are fixed.
func (s *Service) mayReleaseAll(pod *corev1.Pod, req ReleaseAllRequest) error {
	if pod == nil {
		return nil
	}
	if err := s.onThisNode(pod); err != nil {
		return err
	}
	if !req.IsReleaseConflictIPs {
		return nil
	}
	if s.rules().isStatefulSet(pod) || (s.cfg.EnableKubevirtStaticIP && isVirtLauncher(pod)) {
		return fmt.Errorf("%w: pod %s/%s", ErrStaticPod, pod.Namespace, pod.Name)
	}
	return nil
}
