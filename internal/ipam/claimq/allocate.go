// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// view is one pool and its claims, as read for one allocation.
type view struct {
	dec  decoded
	held claimView
	// kept says the pool carries the claim storage's annotation
	// (claims.Kept), as read.
	kept bool
}

// allocate serves an Allocate; "pool full" from the watch is checked
// again on fresh reads before it is reported.
func (q *Queues) allocate(ctx context.Context, pool string, op *poolq.Op) poolq.Result {
	res, err := q.tryAllocate(ctx, pool, op, false)
	if errors.Is(err, poolq.ErrPoolExhausted) {
		res, err = q.tryAllocate(ctx, pool, op, true)
	}
	if err != nil {
		q.suspects.add(op.UID, time.Now()) // its claim may have landed
	}
	res.Err = err
	return res
}

func (q *Queues) tryAllocate(ctx context.Context, pool string, op *poolq.Op, fresh bool) (poolq.Result, error) {
	v, err := q.read(ctx, pool, op.Reserved, fresh)
	if err != nil {
		return poolq.Result{}, err
	}
	if a, ok := v.held.heldBy(op.UID, op.Avoid); ok {
		return poolq.Result{IP: a, Reused: true, Pool: v.dec.Info}, nil
	}
	if !fresh && q.suspects.has(op.UID, time.Now()) { // the watch may not show what a failed ADD left
		a, ok, err := q.leftover(ctx, pool, op)
		if err != nil || ok {
			return poolq.Result{IP: a, Reused: ok, Pool: v.dec.Info}, err
		}
	}
	if n := v.taken(); q.deps.MaxRecords > 0 && n >= q.deps.MaxRecords {
		return poolq.Result{}, fmt.Errorf("%w: pool %s holds %d addresses, the most SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS allows",
			poolq.ErrPoolExhausted, pool, n)
	}
	if !v.kept {
		if v.dec, err = q.keepAndDecode(ctx, pool, op.Reserved); err != nil {
			return poolq.Result{}, err
		}
	}
	now := time.Now()
	picker := claims.NewPicker(v.dec.Usable, rand.Uint64N, claims.Taken{Skip: v.held.skip, Is: func(a netip.Addr) bool {
		return v.dec.unclaimed[a] || op.Avoid[a] || v.dec.Quarantined[a] ||
			(!fresh && q.reserved.holds(pool, a, now)) // a fresh attempt decides "pool full": only the API server's claims count
	}})
	for {
		a, err := picker.Next()
		if errors.Is(err, allocator.ErrExhausted) {
			return poolq.Result{}, fmt.Errorf("%w: pool %s has no free address", poolq.ErrPoolExhausted, pool)
		}
		if err != nil {
			return poolq.Result{}, fmt.Errorf("pool %s: %w", pool, err)
		}
		if !q.reserved.reserve(pool, a, time.Now()) && !fresh {
			continue // another allocation of this agent is claiming it
		}
		won, err := q.claim(ctx, pool, a, op)
		if err != nil {
			q.reserved.drop(pool, a)
		}
		if err != nil || won {
			return poolq.Result{IP: a, Pool: v.dec.Info}, err
		}
	}
}

// taken counts the addresses held by a claim or by a record no claim holds
// yet.
func (v view) taken() int {
	n := v.held.count()
	for a := range v.dec.unclaimed {
		if !v.held.claimed(a) {
			n++
		}
	}
	return n
}

// read returns pool and its claims, as recent as the watch or fresh.
func (q *Queues) read(ctx context.Context, pool string, reserved poolq.Reserved, fresh bool) (view, error) {
	var p *spiderpoolv2beta1.SpiderIPPool
	var err error
	if fresh {
		q.freshReads.Add(2)
		p = &spiderpoolv2beta1.SpiderIPPool{}
		err = q.deps.API.Get(ctx, client.ObjectKey{Name: pool}, p)
	} else {
		p, err = q.deps.Pools.Current(ctx, pool, ownRecords)
	}
	if apierrors.IsNotFound(err) {
		q.decoded.forget(pool)
		return view{}, fmt.Errorf("%w: %s", poolq.ErrPoolNotFound, pool)
	}
	if err != nil {
		return view{}, fmt.Errorf("read pool %s: %w", pool, err)
	}
	dec, err := q.decoded.decode(p, reserved)
	if err != nil {
		return view{}, err
	}
	if !fresh && q.deps.Index != nil {
		if held, ok := q.deps.Index.pool(pool); ok {
			return view{dec: dec, held: held, kept: claims.Kept(p)}, nil
		}
	}
	claimReader := q.deps.Claims
	if fresh {
		claimReader = q.deps.API
	}
	held, err := listHeld(ctx, claimReader, pool)
	if err != nil {
		return view{}, err
	}
	return view{dec: dec, held: held, kept: claims.Kept(p)}, nil
}

// ownRecords accepts a pool's status as last read while the projector
// changed its records last: they are its claims' (seen by the claim watch)
// or released ones, so an agent has nothing to learn from them. A record
// someone else wrote must be seen, so such a status is read again.
func ownRecords(m *metav1.PartialObjectMetadata) bool {
	return claims.OwnRecords(m.ManagedFields)
}

// listHeld lists the claims of pool from r.
func listHeld(ctx context.Context, r client.Reader, pool string) (*claimSet, error) {
	objs, err := poolClaims(ctx, r, pool)
	if err != nil {
		return nil, err
	}
	held := make([]claims.Claim, 0, len(objs))
	for i := range objs {
		if c, err := claims.Of(&objs[i]); err == nil { // a claim whose address does not parse holds nothing usable
			held = append(held, c)
		}
	}
	return snapshot(held), nil
}

// claim creates the claim of a for op's pod and reports whether it won the
// address. A create whose outcome is unknown is settled by a fresh read.
func (q *Queues) claim(ctx context.Context, pool string, a netip.Addr, op *poolq.Op) (bool, error) {
	obj, err := newClaim(pool, a, op.PodKey, op.UID, q.deps.Node)
	if err != nil {
		return false, err
	}
	err = q.deps.Writer.Create(ctx, obj)
	switch {
	case err == nil:
		q.creates.Add(1)
		return true, nil
	case apierrors.IsAlreadyExists(err):
		q.lost.Add(1)
		q.deps.Observer.Conflict([]poolq.Kind{poolq.Allocate})
		return false, nil
	case !store.Ambiguous(err):
		return false, fmt.Errorf("create SpiderIPClaim %s: %w", obj.Name, err)
	}
	q.freshReads.Add(1)
	cur := &ipamclaimsv1alpha1.SpiderIPClaim{}
	if gerr := q.deps.API.Get(ctx, client.ObjectKey{Name: obj.Name}, cur); gerr != nil {
		if apierrors.IsNotFound(gerr) {
			return false, nil // it did not land: try the next address
		}
		return false, fmt.Errorf("create SpiderIPClaim %s, outcome unknown: %w", obj.Name, errors.Join(err, gerr))
	}
	return cur.Spec.PodUID == op.UID, nil
}

// newClaim is the claim of a in pool for pod podKey ("ns/name") of uid.
func newClaim(pool string, a netip.Addr, podKey, uid, node string) (*ipamclaimsv1alpha1.SpiderIPClaim, error) {
	name, err := claims.Name(pool, a)
	if err != nil {
		return nil, err
	}
	ns, pod, _ := strings.Cut(podKey, "/")
	return &ipamclaimsv1alpha1.SpiderIPClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: claims.Labels(pool, uid)},
		Spec: ipamclaimsv1alpha1.IPClaimSpec{Pool: pool, IP: a.String(), PodNamespace: ns, PodName: pod,
			PodUID: uid, Node: node},
	}, nil
}
