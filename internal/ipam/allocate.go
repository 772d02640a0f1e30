// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/store"
	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// Allocate serves a CNI ADD: it returns the addresses of every interface of
// the pod, allocating those not recorded yet
// (docs/reference/behaviour.md §1.3). It is idempotent for a pod UID. Write
// conflicts are retried for as long as ctx lives; a failure leaves no
// address taken by this call.
func (s *Service) Allocate(ctx context.Context, req AllocateRequest) (*Result, error) {
	if err := s.checkReady(); err != nil {
		return nil, err
	}
	unlock, err := s.pods.lock(ctx, req.PodNamespace+"/"+req.PodName)
	if err != nil {
		return nil, fmt.Errorf("allocate for pod %s/%s: %w", req.PodNamespace, req.PodName, err)
	}
	defer unlock()
	res, err := s.allocateRetrying(ctx, &req)
	if err != nil {
		s.stats.allocationFailures.Add(1)
		return nil, err
	}
	s.stats.allocations.Add(1)
	return res, nil
}

func (s *Service) allocateRetrying(ctx context.Context, req *AllocateRequest) (*Result, error) {
	for attempt := 0; ; attempt++ {
		res, uid, err := s.allocateOnce(ctx, req, attempt > 0)
		if err == nil {
			s.containers.remember(uid, req.ContainerID)
			return res, nil
		}
		if !errors.Is(err, errStaleEndpoint) {
			return nil, err
		}
		if werr := s.wait(ctx, attempt); werr != nil {
			return nil, fmt.Errorf("allocate for pod %s/%s: %w (after: %w)", req.PodNamespace, req.PodName, werr, err)
		}
	}
}

// wait sleeps for the backoff of attempt, or until ctx is done.
func (s *Service) wait(ctx context.Context, attempt int) error {
	t := s.clock.NewTimer(s.cfg.Backoff.Delay(attempt))
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// allocation is one attempt of Allocate, with everything it read.
type allocation struct {
	svc *Service
	req *AllocateRequest
	pc  *podContext
	uid string
	// name is the name the pod's addresses are recorded under (its
	// endpoint; the VMI's for a KubeVirt VM) and podKey "<ns>/<name>".
	name   string
	podKey string
	// static is the rule that keeps the addresses for a successor.
	static workload.Static
	// migrating is set for the target pod of a KubeVirt live migration:
	// the source pod may still hold the addresses, so the plugin must not
	// probe them for conflicts.
	migrating bool
	// relocate is set when the endpoint of this incarnation lists an
	// address another pod holds now: the ADD keeps what is still the pod's
	// and allocates the lost interfaces anew.
	relocate bool
	ep       *spiderpoolv2beta1.SpiderEndpoint
	pools    *poolSet
	reserved reservedIPs
	sel      selection
	routes   []annotation.Route
}

// allocateOnce reads everything (the endpoint from the API server when
// fresh), returns a recorded allocation as it is, and otherwise runs.
func (s *Service) allocateOnce(ctx context.Context, req *AllocateRequest, fresh bool) (*Result, string, error) {
	a, err := s.prepare(ctx, req, fresh)
	if err != nil {
		return nil, "", err
	}
	var res *Result
	if a.ep != nil && a.ep.Status.Current.UID == a.uid && findDetail(a.ep.Status.Current.IPs, req.IfName) >= 0 {
		res, err = a.recorded(ctx)
		a.relocate = errors.Is(err, ErrBadRecord)
	}
	if a.relocate {
		logr.FromContextOrDiscard(ctx).Info("the pod's SpiderEndpoint lists addresses other pods hold now; allocating those anew",
			"pod", a.podKey, "uid", a.uid, "reason", err.Error())
	}
	if res == nil && (a.relocate || err == nil) {
		if err = a.prepareSelection(ctx); err == nil {
			res, err = a.run(ctx)
		}
	}
	if res != nil {
		res.SkipConflictDetection = a.migrating
	}
	return res, a.uid, err
}

func (s *Service) prepare(ctx context.Context, req *AllocateRequest, fresh bool) (*allocation, error) {
	pod, err := s.livePod(ctx, req)
	if err != nil {
		return nil, err
	}
	ns := &corev1.Namespace{}
	if _, err := s.getCachedOrFresh(ctx, client.ObjectKey{Name: pod.Namespace}, ns); err != nil {
		return nil, fmt.Errorf("read namespace %s: %w", pod.Namespace, err)
	}
	top, err := s.topController(ctx, pod)
	if err != nil {
		return nil, err
	}
	static, _ := s.rules().OfPod(pod)
	name := s.rules().RecordName(pod)
	ep, err := s.readEndpoint(ctx, pod.Namespace, name, fresh)
	if err == nil && ep == nil && !fresh && static != workload.NotStatic {
		// Kept for a successor, it may record another node: the cache
		// may hold only this node's.
		ep, err = s.readEndpoint(ctx, pod.Namespace, name, true)
	}
	if err != nil {
		return nil, err
	}
	a := &allocation{
		svc: s, req: req, ep: ep,
		pc:  &podContext{ctx: ctx, svc: s, pod: pod, ns: ns, top: top},
		uid: string(pod.UID), name: name, podKey: pod.Namespace + "/" + name, static: static,
	}
	if static == workload.StaticKubevirt {
		if a.migrating, err = workload.Migrating(ctx, s.api, pod); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// prepareSelection reads the pools and parses every annotation, before
// anything is written: a malformed annotation fails the ADD untouched.
// A KubeVirt VM whose endpoint records this interface keeps its addresses
// whatever its selection says now, as Spiderpool's static retrieval does:
// a selection that fails (its pool no longer default, say) then plans
// nothing, and the recorded entries are adopted.
func (a *allocation) prepareSelection(ctx context.Context) error {
	err := a.prepareSelectionOf(ctx)
	if err == nil || !a.vmRecorded() {
		return err
	}
	logr.FromContextOrDiscard(ctx).Info("the VM keeps its recorded addresses although its pool selection fails",
		"pod", a.podKey, "uid", a.uid, "reason", err.Error())
	a.sel, a.routes = selection{}, nil
	return nil
}

// vmRecorded reports whether the pod is a KubeVirt VM's whose endpoint
// records the ADD's interface.
func (a *allocation) vmRecorded() bool {
	return a.static == workload.StaticKubevirt && a.ep != nil && findDetail(a.ep.Status.Current.IPs, a.req.IfName) >= 0
}

func (a *allocation) prepareSelectionOf(ctx context.Context) error {
	s, pod := a.svc, a.pc.pod
	auto, pools, err := a.autoPoolSelection(ctx)
	switch {
	case err != nil:
		return err
	case auto != nil:
		a.sel, a.pools = *auto, pools
	default:
		if a.pools, err = s.listPools(ctx); err != nil {
			return err
		}
		if a.sel, err = s.selectPools(pod, a.pc.ns, a.req, a.pools); err != nil {
			return err
		}
	}
	if a.reserved, err = s.reservedIPs(ctx, s.cache); err != nil {
		return err
	}
	if a.routes, _, err = annotation.Lookup(pod.Annotations, annotation.KeyRoutes, annotation.ParseRoutes); err != nil {
		return podAnnotationError(pod, err)
	}
	return nil
}

// run settles the existing endpoint, allocates the missing interfaces and
// records the endpoint. If it fails, what it changed is undone (the
// addresses it allocated released, a StatefulSet adoption given back),
// unless the endpoint write may have succeeded.
func (a *allocation) run(ctx context.Context) (_ *Result, err error) {
	plan := a.settle()
	missing := a.missing(plan.keep)
	slots, err := a.slots(missing) // before any write: a bad selection changes nothing
	if err != nil {
		return nil, err
	}
	var results []slotResult
	done := false
	defer func() {
		if !done {
			err = errors.Join(err, a.undo(ctx, &plan, results))
		}
	}()
	lost, err := a.applySettlement(ctx, &plan)
	if err != nil {
		return nil, err
	}
	if lost {
		missing = a.missing(plan.keep)
		if slots, err = a.slots(missing); err != nil {
			return nil, err
		}
	}
	if results, err = a.allocateSlots(ctx, slots, plan.keep); err != nil {
		return nil, err
	}
	ep := a.endpointFor(&plan, append(plan.keep, a.details(ctx, missing, results)...))
	err = a.svc.saveEndpoint(ctx, ep, a.ep != nil && !plan.retire)
	done = err == nil || store.Ambiguous(err) // a retry finds them by pod UID
	if err != nil {
		if u, ok := a.svc.queues.(unsettled); ok && done {
			u.Unsettled(a.uid) // its watch may not show them to the retry
		}
		return nil, err
	}
	return resultFromEndpoint(ep)
}

// details turns the addresses allocated for the missing interfaces into
// endpoint entries, with the pod's routes.
func (a *allocation) details(ctx context.Context, missing []*nicPlan, results []slotResult) []spiderpoolv2beta1.IPAllocationDetail {
	details := buildDetails(missing, results)
	if dropped := attachRoutes(details, a.routes); len(dropped) > 0 {
		logr.FromContextOrDiscard(ctx).Info("routes of annotation match no allocated subnet; dropped",
			"pod", a.podKey, "annotation", annotation.KeyRoutes, "routes", fmt.Sprint(dropped))
	}
	return details
}

// recorded answers an ADD whose interface the endpoint already records for
// this incarnation (a retried ADD, a re-created sandbox). It first confirms
// that the pools record every address of the endpoint for this UID: one
// freed meanwhile is taken back, and one another pod holds now fails with
// ErrBadRecord, naming the holder (the caller then allocates the lost
// interfaces anew rather than handing out a duplicate). An entry written
// without an interface name (by Spiderpool) is given this interface's name.
func (a *allocation) recorded(ctx context.Context) (*Result, error) {
	if err := a.svc.adoptAddrs(ctx, a.podKey, a.uid, addrsByPool(a.ep.Status.Current.IPs)); err != nil {
		return nil, fmt.Errorf("pod %s: its SpiderEndpoint lists addresses its pools do not record for it: %w",
			a.podKey, err)
	}
	ep := a.ep
	if i := findDetail(ep.Status.Current.IPs, a.req.IfName); ep.Status.Current.IPs[i].NIC == "" {
		ep = ep.DeepCopy()
		ep.Status.Current.IPs[i].NIC = a.req.IfName
		if err := a.svc.saveEndpoint(ctx, ep, true); err != nil {
			return nil, err
		}
	}
	return resultFromEndpoint(ep)
}

// endpointFor returns the endpoint to write, holding details.
func (a *allocation) endpointFor(plan *settlement, details []spiderpoolv2beta1.IPAllocationDetail) *spiderpoolv2beta1.SpiderEndpoint {
	var ep *spiderpoolv2beta1.SpiderEndpoint
	if a.ep != nil && !plan.retire {
		ep = a.ep.DeepCopy()
		if !slices.Contains(ep.Finalizers, spiderpoolv2beta1.SpiderFinalizer) {
			ep.Finalizers = append(ep.Finalizers, spiderpoolv2beta1.SpiderFinalizer)
		}
	} else {
		ep = newEndpoint(a.pc.pod, a.name, a.static != workload.NotStatic)
	}
	a.noteMigrationSource(ep, plan)
	ep.Status = spiderpoolv2beta1.WorkloadEndpointStatus{
		Current:             spiderpoolv2beta1.PodIPAllocation{UID: a.uid, Node: a.pc.nodeName(), IPs: details},
		OwnerControllerType: a.pc.top.Kind, OwnerControllerName: a.pc.top.Name,
	}
	return ep
}
