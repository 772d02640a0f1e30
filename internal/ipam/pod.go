// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/workload"
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
	if err := s.onThisNode(pod); err != nil {
		return nil, err
	}
	return pod, nil
}

// confirmIncarnation checks on the API server that pod is still the live
// incarnation of its name before it takes over a previous incarnation's
// addresses: a lagging cache could otherwise let a late ADD of a deleted
// pod take them back from its live successor.
func (s *Service) confirmIncarnation(ctx context.Context, pod *corev1.Pod) error {
	key := client.ObjectKeyFromObject(pod)
	fresh := &corev1.Pod{}
	err := s.api.Get(ctx, key, fresh)
	switch {
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%w: pod %s not found", ErrPodNotAlive, key)
	case err != nil:
		return fmt.Errorf("read pod %s: %w", key, err)
	case fresh.UID != pod.UID || !workload.PodAlive(fresh):
		return fmt.Errorf("%w: pod %s is now UID %s (phase %q), not %s", ErrPodNotAlive, key, fresh.UID,
			fresh.Status.Phase, pod.UID)
	}
	return nil
}

// onThisNode refuses a pod bound to another node than this agent's.
func (s *Service) onThisNode(pod *corev1.Pod) error {
	if s.cfg.NodeName == "" || pod.Spec.NodeName == "" || pod.Spec.NodeName == s.cfg.NodeName {
		return nil
	}
	return fmt.Errorf("%w: pod %s/%s runs on node %s, this agent serves node %s", ErrWrongNode, pod.Namespace,
		pod.Name, pod.Spec.NodeName, s.cfg.NodeName)
}

// isVirtLauncher reports whether pod runs a KubeVirt VM.
func isVirtLauncher(pod *corev1.Pod) bool {
	_, ok := workload.VMIOf(pod)
	return ok
}

// recordedInCache returns the addresses the cached pools record for the
// incarnation (podKey, uid), by pool.
func (s *Service) recordedInCache(ctx context.Context, podKey, uid string) (map[string][]netip.Addr, error) {
	out := map[string][]netip.Addr{}
	err := s.cachedRecordsOf(ctx, uid, func(pool, ip string, rec spiderpoolv2beta1.PoolIPAllocation) bool {
		if a, err := netip.ParseAddr(ip); err == nil && rec.NamespacedName == podKey {
			out[pool] = append(out[pool], a)
		}
		return true
	})
	return out, err
}

// cachedRecordsOf calls fn for every record of pod UID uid in the pools
// as recent as the watch (PoolReader.Latest), until fn returns false. A
// pool whose status does not mention the UID is not parsed; one that does
// not parse is skipped (its queue reports it when the pool is used).
func (s *Service) cachedRecordsOf(ctx context.Context, uid string,
	fn func(pool, ip string, rec spiderpoolv2beta1.PoolIPAllocation) bool,
) error {
	specs, err := s.pools.Specs(ctx, nil)
	if err != nil {
		return fmt.Errorf("list SpiderIPPools: %w", err)
	}
	for _, spec := range specs {
		p, err := s.pools.Latest(ctx, spec.Name)
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read SpiderIPPool %s: %w", spec.Name, err)
		}
		if p.Status.AllocatedIPs == nil || !strings.Contains(*p.Status.AllocatedIPs, uid) {
			continue
		}
		recs, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
		if err != nil {
			continue
		}
		for ip, rec := range recs {
			if rec.PodUID == uid && !fn(p.Name, ip, rec) {
				return nil
			}
		}
	}
	return nil
}
