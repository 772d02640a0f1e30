// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// releaseClaims is releaseRecords for the claim storage: it deletes the
// SpiderIPClaims of s.inc, except at the claimed addresses, and never
// writes a pool's status. The claim projector is the only writer of pool
// records: it drops the record of a deleted claim, while a record the GC
// removed would be put back from the claim, or, seen as written by someone
// else, make the projector adopt again the records of claims released
// meanwhile. The addresses are those the cache showed s.inc holding (pool
// records and claims), those its own endpoint lists, and those of its
// claims in the cache now.
func (c *collector) releaseClaims(ctx context.Context, s scope) (outcome, error) {
	cached, err := c.claimsOf(ctx, s.inc.key())
	if err != nil {
		return outcome{}, err
	}
	addrs := map[poolAddr]bool{}
	for _, a := range slices.Concat(s.found, cached[s.inc.UID], slices.Collect(maps.Keys(s.listed))) {
		if !s.claimed[a] {
			addrs[a] = true
		}
	}
	var total outcome
	var errs []error
	for _, a := range slices.SortedFunc(maps.Keys(addrs), comparePoolAddr) {
		out, err := c.releaseClaim(ctx, a, s)
		total.add(out)
		errs = append(errs, err)
	}
	return total, errors.Join(errs...)
}

// releaseClaim is releaseClaimOnce, decided again from a fresh read after a
// lost optimistic-concurrency race.
func (c *collector) releaseClaim(ctx context.Context, a poolAddr, s scope) (outcome, error) {
	ip, err := netip.ParseAddr(a.ip)
	if err != nil {
		return outcome{}, nil // not an address: no claim can hold it
	}
	name, err := claims.Name(a.pool, ip)
	if err != nil {
		log.FromContext(ctx).V(1).Info("no SpiderIPClaim can hold this address", "pool", a.pool, "ip", a.ip, "reason", err.Error())
		return outcome{}, nil
	}
	for attempt := 0; ; attempt++ {
		out, err := c.releaseClaimOnce(ctx, name, a, s)
		if !apierrors.IsConflict(err) {
			return out, err
		}
		c.metrics.conflicts.Inc()
		if werr := c.sleep(ctx, attempt, err); werr != nil {
			return outcome{}, werr
		}
	}
}

// releaseClaimOnce reads the claim of a from the API server and deletes it
// if s.inc holds it, on the condition that it is still the object read (UID
// and resourceVersion): a claim deleted and created again for another pod,
// or adopted by a re-created pod of the same name (a new podUID), in
// between is kept. A claim that is gone is already free. A claim held by
// another pod at an address of s.inc's endpoint makes the endpoint outdated.
func (c *collector) releaseClaimOnce(ctx context.Context, name string, a poolAddr, s scope) (outcome, error) {
	cl := &ipamclaimsv1alpha1.SpiderIPClaim{}
	err := c.api.Get(ctx, client.ObjectKey{Name: name}, cl)
	switch {
	case apierrors.IsNotFound(err):
		return outcome{}, nil
	case err != nil:
		return outcome{}, fmt.Errorf("read SpiderIPClaim %s: %w", name, err)
	}
	if !s.holdsClaim(cl, a) {
		return outcome{heldByOthers: s.listed[a]}, nil
	}
	wctx, cancel := writeContext(ctx)
	defer cancel()
	err = c.writer.Delete(wctx, cl, store.DeletePreconditions(cl.UID, cl.ResourceVersion))
	switch {
	case apierrors.IsNotFound(err):
		return outcome{}, nil // deleted by someone else meanwhile: free
	case err != nil:
		return outcome{}, fmt.Errorf("delete SpiderIPClaim %s: %w", name, err)
	}
	return outcome{removed: 1}, nil
}

// holdsClaim reports whether cl is the claim of a held by s.inc.
func (s scope) holdsClaim(cl *ipamclaimsv1alpha1.SpiderIPClaim, a poolAddr) bool {
	return cl.Spec.PodUID == s.inc.UID && cl.Spec.PodNamespace == s.inc.Namespace && cl.Spec.PodName == s.inc.Name &&
		claimAddr(cl) == a
}

// comparePoolAddr orders addresses by pool, then address text.
func comparePoolAddr(a, b poolAddr) int {
	return cmp.Or(cmp.Compare(a.pool, b.pool), cmp.Compare(a.ip, b.ip))
}
