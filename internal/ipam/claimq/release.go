// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// ErrNotAdopted is returned for an address the pool's status records for
// the pod while no claim exists yet: the controller adopts such records
// (creates their claims) on first sight, and the operation is retried.
var ErrNotAdopted = errors.New("recorded in the pool's status but not claimed yet; retry once the controller adopted it")

// maxAttempts bounds the re-reads of one claim that keeps changing.
const maxAttempts = 5

// release deletes the claims of op.IPs held by op.UID and counts them.
func (q *Queues) release(ctx context.Context, pool string, op *poolq.Op) (int, error) {
	n := 0
	var errs []error
	for _, a := range op.IPs {
		done, err := q.releaseOne(ctx, pool, a, op.UID)
		if done {
			n++
		}
		errs = append(errs, err)
	}
	return n, errors.Join(errs...)
}

// releaseOne deletes the claim of a if uid holds it, on the condition of
// the resourceVersion it read; a conflict reads it again.
func (q *Queues) releaseOne(ctx context.Context, pool string, a netip.Addr, uid string) (bool, error) {
	for attempt := range maxAttempts {
		cur, err := q.current(ctx, pool, a, attempt > 0)
		if err != nil || cur == nil {
			if err == nil {
				err = q.unclaimedRecord(ctx, pool, a, uid)
			}
			return false, err
		}
		if cur.Spec.PodUID != uid {
			return false, nil // another pod's now
		}
		err = q.deps.Writer.Delete(ctx, cur, client.Preconditions{UID: &cur.UID, ResourceVersion: &cur.ResourceVersion})
		switch {
		case err == nil:
			q.deletes.Add(1)
			q.reserved.drop(pool, a)
			return true, nil
		case apierrors.IsNotFound(err):
			return false, nil
		case !apierrors.IsConflict(err) && !errors.Is(err, store.ErrConflict):
			return false, fmt.Errorf("pool %s: release %s: delete SpiderIPClaim %s: %w", pool, a, cur.Name, err)
		}
	}
	return false, fmt.Errorf("pool %s: release %s: its SpiderIPClaim changed %d times in a row", pool, a, maxAttempts)
}

// current reads the claim of a: from the watch first, from the API server
// when fresh or when the watch has none (it may not have seen a claim
// created a moment ago). A claim that does not exist is nil.
func (q *Queues) current(ctx context.Context, pool string, a netip.Addr, fresh bool) (*ipamclaimsv1alpha1.SpiderIPClaim, error) {
	name, err := claims.Name(pool, a)
	if err != nil {
		return nil, err
	}
	cur := &ipamclaimsv1alpha1.SpiderIPClaim{}
	if !fresh {
		if err = q.deps.Claims.Get(ctx, client.ObjectKey{Name: name}, cur); err == nil {
			return cur, nil
		}
	}
	q.freshReads.Add(1)
	err = q.deps.API.Get(ctx, client.ObjectKey{Name: name}, cur)
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read SpiderIPClaim %s: %w", name, err)
	}
	return cur, nil
}

// unclaimedRecord returns ErrNotAdopted when the pool's status records a
// for uid although no claim exists and the status is not the projector's
// own: the record was written by someone else (Spiderpool, or our agents
// before the switch), and only the controller's adoption, then a release
// of the claim, frees it. In the projector's own status such a record is a
// claim deleted since, not projected yet: nothing is left to free.
func (q *Queues) unclaimedRecord(ctx context.Context, pool string, a netip.Addr, uid string) error {
	rec, ok, foreign, err := q.record(ctx, pool, a)
	if err == nil && ok && foreign && rec.PodUID == uid {
		err = fmt.Errorf("pool %s: %s of pod UID %s: %w", pool, a, uid, ErrNotAdopted)
	}
	return err
}

// record returns the record of a in the pool's status.allocatedIPs when
// that status was written by someone other than the projector
// (claims.ForeignStatus), and whether it was. The projector's own records
// are its claims' or released ones: the claims say all there is, so none is
// returned. A pool that does not exist records nothing.
func (q *Queues) record(ctx context.Context, pool string, a netip.Addr) (rec spiderpoolv2beta1.PoolIPAllocation, ok, foreign bool, err error) {
	p, err := q.deps.Pools.Current(ctx, pool, ownRecords)
	if apierrors.IsNotFound(err) {
		return rec, false, false, nil
	}
	if err != nil {
		return rec, false, false, fmt.Errorf("read pool %s: %w", pool, err)
	}
	if !claims.ForeignStatus(p) {
		return rec, false, false, nil
	}
	records, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
	if err != nil {
		return rec, false, true, fmt.Errorf("%w: pool %s status.allocatedIPs: %w", store.ErrBadRecord, pool, err)
	}
	for key, r := range records {
		if k, err := netip.ParseAddr(key); err == nil && k == a {
			return r, true, true, nil
		}
	}
	return rec, false, true, nil
}

// HeldBy returns the addresses claimed for pod podKey ("ns/name") of uid,
// by pool, from the agent's watch of claims: a DEL that finds no endpoint
// frees them (ipam's releaseUnlisted).
func (q *Queues) HeldBy(ctx context.Context, podKey, uid string) (map[string][]netip.Addr, error) {
	return heldBy(ctx, q.deps.Claims, podKey, uid)
}

// heldBy lists from r, by the holder label, the addresses claimed for pod
// podKey ("ns/name") of uid, by pool.
func heldBy(ctx context.Context, r client.Reader, podKey, uid string) (map[string][]netip.Addr, error) {
	var list ipamclaimsv1alpha1.SpiderIPClaimList
	if err := r.List(ctx, &list, client.MatchingLabels{ipamclaimsv1alpha1.LabelPodUID: uid}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("list the SpiderIPClaims of pod UID %s: %w", uid, err)
	}
	out := map[string][]netip.Addr{}
	for i := range list.Items {
		c := &list.Items[i]
		a, err := netip.ParseAddr(c.Spec.IP)
		if err != nil || c.Spec.PodUID != uid || c.Spec.PodNamespace+"/"+c.Spec.PodName != podKey {
			continue
		}
		out[c.Spec.Pool] = append(out[c.Spec.Pool], a)
	}
	return out, nil
}
