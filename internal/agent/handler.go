// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// IPAM is what the handler needs of the IPAM service.
type IPAM interface {
	Allocate(ctx context.Context, req ipam.AllocateRequest) (*ipam.Result, error)
	Release(ctx context.Context, req ipam.ReleaseRequest) error
	ReleaseAll(ctx context.Context, req ipam.ReleaseAllRequest) error
	Check(ctx context.Context, podNS, podName, podUID, ifName string) (*ipam.Result, error)
	GC(ctx context.Context, node string, validContainerIDs []string) (int, error)
}

var _ IPAM = (*ipam.Service)(nil)

// handler serves the agent API with the IPAM service.
type handler struct {
	ipam     IPAM
	node     string
	detect   detection
	notReady atomic.Pointer[string] // nil once ready
	// onReleaseError keeps a release the API server could not take, so it is
	// retried (docs/compatibility.md #7); nil drops nothing and returns the
	// error.
	onReleaseError func(req agentapi.DelRequest, err error) error
	// releaseConflictIPs is SPIDERPOOL_ENABLED_RELEASE_CONFLICT_IPS: whether
	// a conflict batch release may release at all.
	releaseConflictIPs bool
	// findings, when set, quarantines, counts and reports what the plugin
	// found on the wire before a batch release.
	findings *findings
}

var _ agentapi.Handler = (*handler)(nil)

func newHandler(svc IPAM, node string, d detection) *handler {
	h := &handler{ipam: svc, node: node, detect: d}
	h.setNotReady("waiting for the cache to sync and existing allocations to be restored")
	return h
}

func (h *handler) setNotReady(reason string) { h.notReady.Store(&reason) }
func (h *handler) setReady()                 { h.notReady.Store(nil) }

// Healthy implements agentapi.Handler.
func (h *handler) Healthy(context.Context) error {
	if reason := h.notReady.Load(); reason != nil {
		return agentapi.NewError(agentapi.CodeNotReady, "spiderpool-agent not ready: %s", *reason)
	}
	return nil
}

// Allocate implements agentapi.Handler.
func (h *handler) Allocate(ctx context.Context, req *agentapi.AddRequest) (*agentapi.AddResponse, error) {
	res, err := h.ipam.Allocate(ctx, allocateRequest(req))
	if err != nil {
		return nil, apiError(err)
	}
	return addResponse(res, h.detect), nil
}

// Release implements agentapi.Handler.
func (h *handler) Release(ctx context.Context, req *agentapi.DelRequest) error {
	err := h.ipam.Release(ctx, releaseRequest(req))
	if err != nil && h.onReleaseError != nil {
		return h.onReleaseError(*req, err)
	}
	return apiError(err)
}

// ReleaseAll implements agentapi.Handler. A conflict release
// (isReleaseConflictIPs) is refused with Spiderpool's 521 while
// SPIDERPOOL_ENABLED_RELEASE_CONFLICT_IPS is false, and by the IPAM service,
// with 522, for a pod whose addresses are fixed
// (docs/reference/behaviour.md §3.4, docs/reference/interface.md §5.2).
func (h *handler) ReleaseAll(ctx context.Context, req *agentapi.BatchDelRequest) error {
	if h.findings != nil {
		h.findings.note(ctx, req)
	}
	if req.IsReleaseConflictIPs && !h.releaseConflictIPs {
		return agentapi.NewError(agentapi.CodeStatelessReleaseForbidden,
			"forbid releasing IPs for stateless workload: SPIDERPOOL_ENABLED_RELEASE_CONFLICT_IPS is false; pod %s/%s keeps its addresses",
			req.PodNamespace, req.PodName)
	}
	return apiError(h.ipam.ReleaseAll(ctx, releaseAllRequest(req)))
}

// Check implements agentapi.Handler.
func (h *handler) Check(ctx context.Context, req *agentapi.CheckRequest) (*agentapi.CheckResponse, error) {
	res, err := h.ipam.Check(ctx, req.PodNamespace, req.PodName, req.PodUID, req.IfName)
	if err != nil {
		return nil, apiError(err)
	}
	return checkResponse(res, req.IfName), nil
}

// GC implements agentapi.Handler.
func (h *handler) GC(ctx context.Context, req *agentapi.GCRequest) error {
	_, err := h.ipam.GC(ctx, h.node, validContainerIDs(req.ValidAttachments))
	return apiError(err)
}

// apiError gives an IPAM error the code the plugin maps to a CNI error:
// input the user must fix, a pool problem, or "try again later".
func apiError(err error) error {
	var annoErr *annotation.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &annoErr):
		return agentapi.NewError(agentapi.CodeInvalidRequest, "%s", err.Error())
	case errors.Is(err, ipam.ErrNotReady):
		return agentapi.NewError(agentapi.CodeNotReady, "%s", err.Error())
	case errors.Is(err, ipam.ErrPoolExhausted):
		return agentapi.NewError(agentapi.CodePoolExhausted, "%s", err.Error())
	case errors.Is(err, ipam.ErrNoPool), errors.Is(err, ipam.ErrPoolNotFound):
		return agentapi.NewError(agentapi.CodeNoPool, "%s", err.Error())
	case errors.Is(err, ipam.ErrNoAllocation):
		return agentapi.NewError(agentapi.CodeNotFound, "%s", err.Error())
	case errors.Is(err, ipam.ErrPodNotAlive):
		return agentapi.NewError(agentapi.CodeInvalidRequest, "%s", err.Error())
	case errors.Is(err, ipam.ErrWrongNode):
		return agentapi.NewError(agentapi.CodeWrongNode, "%s", err.Error())
	case errors.Is(err, ipam.ErrStaticPod):
		return agentapi.NewError(agentapi.CodeStatefulReleaseForbidden, "%s", err.Error())
	}
	return err
}
