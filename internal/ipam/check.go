// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Check serves a CNI CHECK: it returns what is recorded for the pod
// incarnation (podUID, or any when empty), which must include ifName, or
// an error wrapping ErrNoAllocation.
func (s *Service) Check(ctx context.Context, podNS, podName, podUID, ifName string) (*Result, error) {
	if err := s.checkReady(); err != nil {
		return nil, err
	}
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	found, err := s.getCachedOrFresh(ctx, client.ObjectKey{Namespace: podNS, Name: podName}, ep)
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
