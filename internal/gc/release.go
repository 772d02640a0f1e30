// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/log"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/store"
	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// poolAddr is one address of one pool, the address in canonical form.
type poolAddr struct {
	pool, ip string
}

// release frees a dead incarnation as the agent's CNI DEL would
// (docs/reference/behaviour.md §3.4 steps 7-8): every record of its UID in
// the pools its endpoint names and in those where a record of it was
// found, then its endpoint. f is the fresh state it was judged on. An
// address that the endpoint of another UID lists is freed only when that
// endpoint's claim is void (claimKept).
func (c *collector) release(ctx context.Context, inc incarnation, f *facts, found []poolAddr) error {
	kept, err := c.claimKept(ctx, inc, f)
	if err != nil {
		return err
	}
	free := c.releaseRecords
	if c.opts.ClaimStorage {
		free = c.releaseClaims
	}
	out, err := free(ctx, newScope(inc, f, found, kept))
	if out.removed > 0 {
		c.metrics.released.Add(float64(out.removed))
		log.FromContext(ctx).Info("released IPs of a dead pod", "pod", inc.key(), "uid", inc.UID, "count", out.removed)
	}
	if err != nil || !f.owned(inc.UID) {
		return err // an endpoint stays while records are left, so that a retry knows what to free
	}
	return c.retireEndpoint(ctx, inc, f, out)
}

// claimKept reports whether the endpoint named like inc, which records
// another UID, still claims the addresses it lists: its pod exists (a dead
// one is released with its endpoint by its own verdict), or it is kept for
// a successor (StatefulSet ordinal or KubeVirt VM wanted). The claim of a
// dead endpoint nobody wants is void: the pools decide who holds what.
func (c *collector) claimKept(ctx context.Context, inc incarnation, f *facts) (bool, error) {
	if f.ep == nil || f.owned(inc.UID) {
		return false, nil
	}
	if f.samePod(f.ep.Status.Current.UID) {
		return true, nil
	}
	s, owner := c.opts.rules().OfEndpoint(f.ep)
	if s == workload.NotStatic {
		return false, nil
	}
	return workload.Wanted(ctx, c.api, s, inc.Namespace, inc.Name, owner)
}

// scope is what a release touches: the records of inc in pools, except
// the claimed addresses. listed are the addresses of inc's own endpoint,
// whose holders the release reports. found are the addresses the cache
// showed held by inc (the SpiderIPClaims a claim-storage release deletes).
type scope struct {
	inc     incarnation
	pools   map[string]bool
	claimed map[poolAddr]bool
	listed  map[poolAddr]bool
	found   []poolAddr
}

// newScope is the scope of releasing inc: the pools of the found records
// and of its own endpoint, or the addresses of another UID's endpoint as
// claimed while that claim is kept.
func newScope(inc incarnation, f *facts, found []poolAddr, claimKept bool) scope {
	s := scope{inc: inc, pools: map[string]bool{}, found: found}
	for _, a := range found {
		s.pools[a.pool] = true
	}
	if f.ep == nil {
		return s
	}
	for _, a := range endpointAddrs(f.ep) {
		switch {
		case f.owned(inc.UID):
			s.pools[a.pool] = true
			s.listed = addTo(s.listed, a)
		case claimKept:
			s.claimed = addTo(s.claimed, a)
		}
	}
	return s
}

// outcome is what a release did, and saw in the pools it read.
type outcome struct {
	removed int
	// heldByOthers says a pool records an address of the incarnation's
	// endpoint for another holder: the endpoint is outdated.
	heldByOthers bool
}

func (o *outcome) add(p outcome) {
	o.removed += p.removed
	o.heldByOthers = o.heldByOthers || p.heldByOthers
}

// retireEndpoint drops the incarnation's endpoint once its records are
// gone. Its finalizer always goes: nothing is left to free. It is deleted
// too, also while its pod object is left (finished, or stuck terminating),
// which its owner reference would wait for: it would go on listing
// addresses that other pods get. The exception is an outdated StatefulSet
// or KubeVirt endpoint: one that freed nothing now and whose addresses the
// pools give to other holders is deleted only with
// enableCleanOutdatedEndpoint. An endpoint whose addresses are recorded for
// nobody is always deleted, which also finishes a release cut short
// between the pool writes and the endpoint drop, whichever process made it.
func (c *collector) retireEndpoint(ctx context.Context, inc incarnation, f *facts, out outcome) error {
	del := f.static == workload.NotStatic || out.removed > 0 || !out.heldByOthers || c.opts.EnableCleanOutdatedEndpoint
	if !del {
		log.FromContext(ctx).V(1).Info("outdated endpoint kept without its finalizer: other pods hold its addresses "+
			"and enableCleanOutdatedEndpoint is false", "endpoint", inc.key(), "uid", inc.UID)
	}
	return c.dropEndpoint(ctx, f.ep, inc.UID, del)
}

// dropEndpoint removes the finalizer of ep and deletes it when del is
// set, each write conditional on the resourceVersion read. A conflict is
// retried from a fresh read for as long as the endpoint still records uid.
func (c *collector) dropEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint, uid string, del bool) error {
	for attempt := 0; ; attempt++ {
		err := c.dropEndpointOnce(ctx, ep, del)
		if !errors.Is(err, store.ErrConflict) && !apierrors.IsConflict(err) {
			return err
		}
		if werr := c.sleep(ctx, attempt, err); werr != nil {
			return werr
		}
		if ep, err = getEndpoint(ctx, c.api, ep.Namespace, ep.Name); err != nil || ep == nil {
			return err
		}
		if ep.Status.Current.UID != uid {
			return nil // a new incarnation owns it now
		}
	}
}

func (c *collector) dropEndpointOnce(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint, del bool) error {
	ctx, cancel := writeContext(ctx)
	defer cancel()
	cur := ep.DeepCopy()
	if slices.Contains(cur.Finalizers, spiderpoolv2beta1.SpiderFinalizer) {
		if err := c.store.RemoveEndpointFinalizer(ctx, cur); err != nil {
			return fmt.Errorf("remove finalizer of SpiderEndpoint %s/%s: %w", ep.Namespace, ep.Name, err)
		}
	}
	if !del {
		return nil
	}
	// Conditional on the UID and the resourceVersion the finalizer patch
	// returned: an endpoint an agent adopted meanwhile is never deleted.
	if err := c.store.DeleteEndpoint(ctx, cur); err != nil {
		return fmt.Errorf("delete SpiderEndpoint %s/%s: %w", ep.Namespace, ep.Name, err)
	}
	return nil
}

// endpointAddrs lists the addresses an endpoint records, per pool.
func endpointAddrs(ep *spiderpoolv2beta1.SpiderEndpoint) []poolAddr {
	var out []poolAddr
	for _, d := range ep.Status.Current.IPs {
		if d.IPv4 != nil && d.IPv4Pool != nil {
			out = append(out, poolAddr{pool: *d.IPv4Pool, ip: canonicalIP(*d.IPv4)})
		}
		if d.IPv6 != nil && d.IPv6Pool != nil {
			out = append(out, poolAddr{pool: *d.IPv6Pool, ip: canonicalIP(*d.IPv6)})
		}
	}
	return out
}

// canonicalIP returns the address of "ip" or "ip/len" in netip's form, or
// s unchanged when it does not parse.
func canonicalIP(s string) string {
	addr, _, _ := strings.Cut(s, "/")
	if a, err := netip.ParseAddr(addr); err == nil {
		return a.String()
	}
	return s
}

func addTo(m map[poolAddr]bool, a poolAddr) map[poolAddr]bool {
	if m == nil {
		m = map[poolAddr]bool{}
	}
	m[a] = true
	return m
}
