// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Check serves a CNI CHECK: it returns what is recorded for the pod
// incarnation (podUID, or any when empty), which must include ifName, or
// an error wrapping ErrNoAllocation. A KubeVirt VM's endpoint is named
// after its VMI.
func (s *Service) Check(ctx context.Context, podNS, podName, podUID, ifName string) (*Result, error) {
	if err := s.checkReady(); err != nil {
		return nil, err
	}
	name, err := s.recordNameOfPod(ctx, podNS, podName)
	if err != nil {
		return nil, fmt.Errorf("check pod %s/%s: %w", podNS, podName, err)
	}
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	found, err := s.getCachedOrFresh(ctx, client.ObjectKey{Namespace: podNS, Name: name}, ep)
	switch {
	case err != nil:
		return nil, fmt.Errorf("check pod %s/%s: read SpiderEndpoint: %w", podNS, podName, err)
	case !found:
		return nil, fmt.Errorf("%w: pod %s/%s has no SpiderEndpoint", ErrNoAllocation, podNS, podName)
	case podUID != "" && ep.Status.Current.UID != podUID:
		return nil, fmt.Errorf("%w: SpiderEndpoint %s/%s belongs to pod UID %s, not %s", ErrNoAllocation, podNS, podName,
			ep.Status.Current.UID, podUID)
	case findDetail(ep.Status.Current.IPs, ifName) < 0:
		return nil, fmt.Errorf("%w: SpiderEndpoint %s/%s has no interface %s", ErrNoAllocation, podNS, podName, ifName)
	}
	return resultFromEndpoint(ep)
}

// recordNameOfPod is the name the pod ns/name's addresses are recorded
// under (Rules.RecordName), or name when the pod is not found.
func (s *Service) recordNameOfPod(ctx context.Context, ns, name string) (string, error) {
	if !s.cfg.EnableKubevirtStaticIP {
		return name, nil
	}
	pod := &corev1.Pod{}
	found, err := s.getCachedOrFresh(ctx, client.ObjectKey{Namespace: ns, Name: name}, pod)
	if err != nil || !found {
		return name, err
	}
	return s.rules().RecordName(pod), nil
}
