// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
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
//     without a UID, any pod of the name keeps them (it may be a successor);
//   - a StatefulSet pod whose ordinal is still in range keeps its addresses
//     and endpoint (with EnableStatefulSet), a KubeVirt VM still wanted
//     likewise (with EnableKubevirtStaticIP);
//   - DEL of one interface of several frees only that interface's
//     addresses; the last one frees the rest and lets the endpoint go (its
//     finalizer removed, and deleted when no owner reference will);
//   - records of the UID that no endpoint lists (an ADD that failed after
//     its pool write, an endpoint of another incarnation) are freed too.
//
// A pod bound to another node is refused. Every failure is returned,
// joined; nothing is swallowed.
func (s *Service) Release(ctx context.Context, req ReleaseRequest) error {
	if err := s.checkReady(); err != nil {
		return err
	}
	if _, err := s.release(ctx, req.PodNamespace, req.PodName, req.PodUID, releaseOpts{ifName: req.IfName}); err != nil {
		return fmt.Errorf("release pod %s/%s: %w", req.PodNamespace, req.PodName, err)
	}
	return nil
}

// releaseOpts says which release is asked for.
type releaseOpts struct {
	// force skips the live-pod and static checks (batch release after a
	// conflict): the pod goes on and allocates afresh.
	force bool
	// gc is a CNI GC: a pod that exists with the UID, whatever its state,
	// is left to its own DEL and to the controller's grace periods.
	gc bool
	// ifName is the interface of a CNI DEL; "" frees every interface.
	ifName string
	// finished says the pod object of the UID is left in phase Succeeded
	// or Failed: no owner reference will delete its endpoint soon.
	finished bool
}

// release is Release for pod ns/name and uid ("" when unknown). It reports
// whether it released the endpoint.
func (s *Service) release(ctx context.Context, ns, name, uid string, o releaseOpts) (bool, error) {
	unlock, err := s.pods.lock(ctx, ns+"/"+name)
	if err != nil {
		return false, err
	}
	defer unlock()
	return s.releaseLocked(ctx, ns, name, uid, o)
}

func (s *Service) releaseLocked(ctx context.Context, ns, name, uid string, o releaseOpts) (bool, error) {
	pod := &corev1.Pod{}
	err := s.api.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, pod)
	switch {
	case apierrors.IsNotFound(err):
		pod = nil
	case err != nil:
		return false, fmt.Errorf("read pod: %w", err)
	}
	var epName string // the pod's records and endpoint are named so
	if pod != nil {
		if keep, err := s.keepPod(pod, uid, o); keep || err != nil {
			return false, err
		}
		o.finished = string(pod.UID) == uid && workload.Finished(pod)
		epName = s.rules().RecordName(pod)
	} else if epName, err = s.recordNameOf(ctx, ns, name, uid); err != nil {
		return false, err
	}
	ep, err := s.readEndpoint(ctx, ns, epName, true)
	if err != nil {
		return false, err
	}
	if uid == "" && ep != nil {
		uid = ep.Status.Current.UID // the pod is gone and the runtime gave no UID
	}
	if ep == nil || ep.Status.Current.UID != uid {
		if ep != nil {
			err = s.endSourceNote(ctx, ep, uid) // a live migration's source goes
		}
		return false, errors.Join(err, s.releaseUnlisted(ctx, ns+"/"+epName, uid))
	}
	return s.releaseEndpoint(ctx, ep, o)
}

// keepPod says whether the existing pod keeps its addresses: it is the
// incarnation asked for and alive (or a CNI GC asks), or no UID was given.
// A pod of the UID bound to another node is refused.
func (s *Service) keepPod(pod *corev1.Pod, uid string, o releaseOpts) (bool, error) {
	if uid == "" {
		return !o.force, nil
	}
	if string(pod.UID) != uid {
		return false, nil
	}
	if err := s.onThisNode(pod); err != nil {
		return true, err
	}
	return o.gc || (!o.force && workload.PodAlive(pod)), nil
}

// releaseUnlisted frees the records of incarnation (podKey, uid) that no
// endpoint lists, found in the cached pools: an ADD that failed after its
// pool write, or adopted records whose endpoint went to another
// incarnation. The pool writes check the UID again.
func (s *Service) releaseUnlisted(ctx context.Context, podKey, uid string) error {
	if uid == "" {
		return nil
	}
	byPool, err := s.recordedInCache(ctx, podKey, uid)
	if err != nil {
		return err
	}
	if h, ok := s.queues.(holdings); ok { // the claims, which the records follow with a lag
		held, err := h.HeldBy(ctx, podKey, uid)
		if err != nil {
			return err
		}
		byPool = mergeAddrs(byPool, held)
	}
	if len(byPool) == 0 {
		return nil
	}
	return s.releaseAddrs(ctx, podKey, uid, byPool)
}

// unsettled is implemented by pool operations whose view of a pod's
// addresses may lag (the claim storage's watch): Unsettled says that an
// ADD of uid failed keeping what it allocated, for the retry to find.
type unsettled interface {
	Unsettled(uid string)
}

// holdings is implemented by pool operations that know a pod's addresses
// themselves (the claim storage, internal/ipam/claimq).
type holdings interface {
	HeldBy(ctx context.Context, podKey, uid string) (map[string][]netip.Addr, error)
}

// releaseEndpoint frees the addresses of ep (of one interface, when o
// names one of several) and lets the endpoint go once none is left.
func (s *Service) releaseEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint, o releaseOpts) (bool, error) {
	rule, owner := s.rules().OfEndpoint(ep)
	static := rule != workload.NotStatic
	if static && !o.force {
		wanted, err := workload.Wanted(ctx, s.api, rule, ep.Namespace, ep.Name, owner)
		if err != nil {
			return false, err
		}
		if wanted {
			if rule == workload.StaticKubevirt && !o.gc {
				_, err = s.handBack(ctx, ep) // a failed migration's target goes
			}
			return false, err
		}
	}
	if i := interfaceOf(ep, o); i >= 0 {
		return false, s.releaseInterface(ctx, ep, i)
	}
	uid := ep.Status.Current.UID
	// The endpoint lets go before the pools free its addresses: once freed,
	// another pod may get one, and an endpoint still holding it (finalizer
	// on) would be a second holder for as long as the API server refused the
	// finalizer's removal. A stateless endpoint is deleted by the garbage
	// collector once its pod is gone; the others, the one of a pod that goes
	// on (force) and the one of a finished pod (its object may stay for
	// long), now.
	if err := s.dropEndpoint(ctx, ep, o.force || o.finished || static || len(ep.OwnerReferences) == 0); err != nil {
		return false, err // nothing freed: a retry starts again
	}
	// From here a retry finds the addresses in the endpoint left without
	// its finalizer, or, once it is deleted, in the records of the UID
	// (releaseUnlisted); the controller's GC frees them otherwise.
	if err := s.releaseAddrs(ctx, ep.Namespace+"/"+ep.Name, uid, addrsByPool(ep.Status.Current.IPs)); err != nil {
		return false, err
	}
	if !o.force { // after a conflict the quarantine must outlive the release
		s.quarantine.forget(uid)
	}
	s.containers.forget(uid)
	return true, nil
}

// interfaceOf returns the entry of the DEL's interface when the endpoint
// records other interfaces too, else -1 (everything is freed).
func interfaceOf(ep *spiderpoolv2beta1.SpiderEndpoint, o releaseOpts) int {
	ips := ep.Status.Current.IPs
	if o.force || o.gc || o.ifName == "" || len(ips) < 2 {
		return -1
	}
	return slices.IndexFunc(ips, func(d spiderpoolv2beta1.IPAllocationDetail) bool { return d.NIC == o.ifName })
}

// releaseInterface frees the addresses of entry i of ep and removes the
// entry: Multus tears a pod's interfaces down one by one, and the others
// still carry their addresses until their own DEL.
func (s *Service) releaseInterface(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint, i int) error {
	podKey := ep.Namespace + "/" + ep.Name
	if err := s.releaseAddrs(ctx, podKey, ep.Status.Current.UID, detailAddrs(&ep.Status.Current.IPs[i])); err != nil {
		return err
	}
	ep = ep.DeepCopy()
	ep.Status.Current.IPs = slices.Delete(ep.Status.Current.IPs, i, i+1)
	return s.saveEndpoint(ctx, ep, true)
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
