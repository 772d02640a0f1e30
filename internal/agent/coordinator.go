// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
)

// defaultCoordinatorName is the SpiderCoordinator spiderpool-init creates
// and the controller keeps the status of.
const defaultCoordinatorName = "default"

// coordinatorSource answers the coordinator plugin from the cache
// (docs/reference/behaviour.md §8.1).
type coordinatorSource struct {
	reader client.Reader
}

var _ agentapi.CoordinatorHandler = coordinatorSource{}

// CoordinatorConfig implements agentapi.CoordinatorHandler: the
// SpiderCoordinator named "default" (else the first by name), refused
// until its status is Synced, with the pod's default-route-nic annotation
// applied. A pod the cache does not hold (already deleted, at DEL) gets
// the coordinator's value.
func (s coordinatorSource) CoordinatorConfig(ctx context.Context, req *agentapi.CoordinatorRequest) (*agentapi.CoordinatorConfig, error) {
	cr, err := s.pick(ctx)
	if err != nil {
		return nil, err
	}
	if cr.Status.Phase != spiderpoolv2beta1.CoordinatorPhaseSynced {
		return nil, agentapi.NewError(agentapi.CodeNotReady,
			"SpiderCoordinator %q is not Synced (phase %q, reason %q); spiderpool-controller fills in its status once it finds the cluster's pod and service CIDRs",
			cr.Name, cr.Status.Phase, cr.Status.Reason)
	}
	conf := configFromCoordinator(cr)
	nic, err := s.defaultRouteNIC(ctx, req)
	if err != nil {
		return nil, err
	}
	if nic != "" {
		conf.PodDefaultRouteNIC = nic
	}
	return conf, nil
}

func (s coordinatorSource) pick(ctx context.Context) (*spiderpoolv2beta1.SpiderCoordinator, error) {
	var list spiderpoolv2beta1.SpiderCoordinatorList
	if err := s.reader.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("list SpiderCoordinators: %w", err)
	}
	if len(list.Items) == 0 {
		return nil, agentapi.NewError(agentapi.CodeNotFound,
			"no SpiderCoordinator exists; spiderpool-init creates %q, or create one with spec.podCIDRType set", defaultCoordinatorName)
	}
	slices.SortFunc(list.Items, func(a, b spiderpoolv2beta1.SpiderCoordinator) int {
		return strings.Compare(a.Name, b.Name)
	})
	for i := range list.Items {
		if list.Items[i].Name == defaultCoordinatorName {
			return &list.Items[i], nil
		}
	}
	return &list.Items[0], nil
}

// defaultRouteNIC reads the pod's ipam.spidernet.io/default-route-nic; ""
// when the pod or the annotation is absent.
func (s coordinatorSource) defaultRouteNIC(ctx context.Context, req *agentapi.CoordinatorRequest) (string, error) {
	var pod corev1.Pod
	err := s.reader.Get(ctx, client.ObjectKey{Namespace: req.PodNamespace, Name: req.PodName}, &pod)
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("get pod %s/%s: %w", req.PodNamespace, req.PodName, err)
	}
	value, ok := pod.Annotations[annotation.KeyDefaultRouteNIC]
	if !ok {
		return "", nil
	}
	nic, err := annotation.ParseDefaultRouteNIC(value)
	if err != nil {
		return "", agentapi.NewError(agentapi.CodeInvalidRequest, "pod %s/%s: %s", req.PodNamespace, req.PodName, err.Error())
	}
	return nic, nil
}

// configFromCoordinator copies the spec and the status CIDRs.
func configFromCoordinator(cr *spiderpoolv2beta1.SpiderCoordinator) *agentapi.CoordinatorConfig {
	s := &cr.Spec
	conf := &agentapi.CoordinatorConfig{
		Mode:           deref(s.Mode, spiderpoolv2beta1.CoordinatorModeAuto),
		OverlayPodCIDR: append([]string{}, cr.Status.OverlayPodCIDR...),
		ServiceCIDR:    append([]string{}, cr.Status.ServiceCIDR...),
		HijackCIDR:     s.HijackCIDR, PodMACPrefix: deref(s.PodMACPrefix, ""),
		PodDefaultRouteNIC: deref(s.PodDefaultRouteNIC, ""), TunePodRoutes: deref(s.TunePodRoutes, true),
		HostRuleTable: deref(s.HostRuleTable, 0), PodRPFilter: deref(s.PodRPFilter, 0),
		TxQueueLen: deref(s.TxQueueLen, 0), VethLinkAddress: deref(s.VethLinkAddress, ""),
		VethMTU: deref(s.VethMTU, 0),
	}
	for _, r := range s.PolicyRoutes {
		conf.PolicyRoutes = append(conf.PolicyRoutes, agentapi.PolicyRoute{Dst: r.Dst, Gw: r.Gw})
	}
	return conf
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
