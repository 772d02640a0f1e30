// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Writer makes the conditional writes of "ip release": each re-reads its
// object from the API server, changes it only while it still names the
// judged UID, and writes it with the resourceVersion read, retrying on
// conflict. Whatever another writer did meanwhile (an agent recording
// another address in the same pool, or the same address for a new pod)
// is kept.
type Writer struct {
	// Client reads fresh objects and writes them.
	Client client.Client
}

// releaseHolding removes h's record and endpoint entry of ip.
func (w *Writer) releaseHolding(ctx context.Context, ip string, h Holding, dryRun bool) ([]Action, error) {
	var acts []Action
	if h.Recorded {
		// The claim first: the projector would write the record back from it.
		result, found, err := w.deleteIPClaim(ctx, h.Pool, ip, h.UID, dryRun)
		if found {
			acts = append(acts, Action{Op: OpDeleteIPClaim, Pool: h.Pool, Pod: h.Pod, UID: h.UID, Result: result})
		}
		if err != nil {
			return acts, err
		}
		act := Action{Op: OpRemoveRecord, Pool: h.Pool, Pod: h.Pod, UID: h.UID, Result: resultPlanned}
		if !dryRun {
			var err error
			if act.Result, err = w.removeRecord(ctx, h.Pool, ip, h.UID); err != nil {
				return append(acts, act), err
			}
		}
		acts = append(acts, act)
	}
	if h.Endpoint {
		ref, err := ParsePodRef(h.Pod, "") // named after a SpiderEndpoint: always valid
		if err != nil {
			return acts, err
		}
		act := Action{Op: OpRemoveEndpointAddress, Endpoint: ref.String(), Pod: h.Pod, UID: h.UID, Result: resultPlanned}
		if !dryRun {
			if act.Op, act.Result, err = w.removeEndpointAddress(ctx, ref, ip, h.UID); err != nil {
				return append(acts, act), err
			}
		}
		acts = append(acts, act)
	}
	return acts, nil
}

// removeRecord deletes the record of ip in pool while it names uid.
func (w *Writer) removeRecord(ctx context.Context, pool, ip, uid string) (string, error) {
	result := resultDone
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		p := &spiderpoolv2beta1.SpiderIPPool{}
		if err := w.Client.Get(ctx, client.ObjectKey{Name: pool}, p); err != nil {
			return err
		}
		recs, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
		if err != nil {
			return err
		}
		key, found := recordKey(recs, ip)
		if !found || recs[key].PodUID != uid {
			result = "skipped: the pool no longer records it for this UID"
			return nil
		}
		delete(recs, key)
		n := int64(len(recs))
		p.Status.AllocatedIPs, p.Status.AllocatedIPCount = spiderpoolv2beta1.FormatAllocatedIPs(recs), &n
		return w.Client.Status().Update(ctx, p)
	})
	if apierrors.IsNotFound(err) {
		return "skipped: pool is gone", nil
	}
	if err != nil {
		return "", fmt.Errorf("remove record of %s from pool %s: %w", ip, pool, err)
	}
	return result, nil
}

// recordKey finds the key of ip among the records, which may be written in
// a non-canonical form.
func recordKey(recs spiderpoolv2beta1.PoolIPAllocations, ip string) (string, bool) {
	if _, ok := recs[ip]; ok {
		return ip, true
	}
	for k := range recs {
		if canonicalIP(k) == ip {
			return k, true
		}
	}
	return "", false
}

// removeEndpointAddress drops ip from the endpoint ref while it records
// uid; an endpoint left without any address loses its finalizer and is
// deleted (with UID and resourceVersion preconditions). It returns the op
// done and its result.
func (w *Writer) removeEndpointAddress(ctx context.Context, ref PodRef, ip, uid string) (string, string, error) {
	op, result := OpRemoveEndpointAddress, resultDone
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		ep := &spiderpoolv2beta1.SpiderEndpoint{}
		if err := w.Client.Get(ctx, client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, ep); err != nil {
			return err
		}
		if ep.Status.Current.UID != uid || !dropAddress(ep, ip) {
			result = "skipped: the endpoint no longer records it for this UID"
			return nil
		}
		if len(endpointClaims(ep)) > 0 {
			op = OpRemoveEndpointAddress
			return w.Client.Update(ctx, ep)
		}
		op = OpDeleteEndpoint
		return w.deleteEndpoint(ctx, ep)
	})
	if apierrors.IsNotFound(err) {
		return op, "skipped: endpoint is gone", nil
	}
	if err != nil {
		return op, "", fmt.Errorf("release %s from SpiderEndpoint %s: %w", ip, ref, err)
	}
	return op, result, nil
}

// deleteEndpoint removes the finalizer and deletes ep, both conditional
// on the resourceVersion read.
func (w *Writer) deleteEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) error {
	uid := ep.UID
	if i := slices.Index(ep.Finalizers, spiderpoolv2beta1.SpiderFinalizer); i >= 0 {
		ep.Finalizers = slices.Delete(ep.Finalizers, i, i+1)
		if err := w.Client.Update(ctx, ep); err != nil {
			return err
		}
	}
	rv := ep.ResourceVersion
	return w.Client.Delete(ctx, ep, client.Preconditions{UID: &uid, ResourceVersion: &rv})
}

// dropAddress removes ip from ep's interfaces, and interfaces left with no
// address; it reports whether ip was there.
func dropAddress(ep *spiderpoolv2beta1.SpiderEndpoint, ip string) bool {
	found := false
	ips := ep.Status.Current.IPs[:0]
	for _, d := range ep.Status.Current.IPs {
		if d.IPv4 != nil && canonicalIP(*d.IPv4) == ip {
			d.IPv4, d.IPv4Pool, d.IPv4Gateway, found = nil, nil, nil, true
		}
		if d.IPv6 != nil && canonicalIP(*d.IPv6) == ip {
			d.IPv6, d.IPv6Pool, d.IPv6Gateway, found = nil, nil, nil, true
		}
		if d.IPv4 != nil || d.IPv6 != nil {
			ips = append(ips, d)
		}
	}
	ep.Status.Current.IPs = ips
	return found
}
