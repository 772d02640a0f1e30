// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
)

// PoolReader reads a pool as the agent's watch of its metadata has it
// (poolview.View's Current): its spec and status from the last whole read
// while keep accepts the watch's metadata and the spec is unchanged.
type PoolReader interface {
	Current(ctx context.Context, name string, keep func(*metav1.PartialObjectMetadata) bool) (*spiderpoolv2beta1.SpiderIPPool, error)
}

// Deps are what the queues need.
type Deps struct {
	// Pools reads pools as the watch has them; a status the projector
	// wrote is not read again (claims.OwnRecords).
	Pools PoolReader
	// Claims reads claims as recent as the agent's watch of them (a cache).
	Claims client.Reader
	// API reads the API server directly: the fresh reads that decide
	// "pool full" and whose claim a release deletes.
	API client.Reader
	// Writer creates, updates and deletes claims.
	Writer client.Writer
	// Node is this agent's node: it sets the claims' spec.node.
	Node string
	// MaxRecords is the most addresses one pool may hold
	// (SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS); 0 means no limit.
	MaxRecords int
	// Observer is told of each operation's queue wait, which is none (an
	// operation starts at once: there is no per-pool queue), and of each
	// create another agent won (a conflict), so that the metrics of the
	// pool queues go on counting; nil means nobody.
	Observer poolq.Observer
	// Index, when set, answers an allocation's questions about its pool's
	// claims from the watch (see Index); without it, or until it has
	// synced, an allocation lists them from Claims.
	Index *Index
}

// Stats are cumulative counters.
type Stats struct {
	// Creates counts claims created, Lost the creates refused with
	// AlreadyExists (another agent won the address).
	Creates, Lost uint64
	// Deletes and Updates count the claims deleted and adopted.
	Deletes, Updates uint64
	// FreshReads counts the lists and reads from the API server.
	FreshReads uint64
}

// Queues serves pool operations on claims. It is safe for concurrent use:
// the API server's create, conditional update and conditional delete are
// the only serialisation needed.
type Queues struct {
	deps                                             Deps
	reserved                                         reservations
	decoded                                          decodeCache
	suspects                                         suspects
	ops, creates, lost, deletes, updates, freshReads atomic.Uint64
}

// New returns Queues on deps.
func New(deps Deps) *Queues {
	if deps.Observer == nil {
		deps.Observer = nobody{}
	}
	return &Queues{deps: deps}
}

// nobody is the Observer of queues given none.
type nobody struct{}

func (nobody) QueueWait(poolq.Kind, time.Duration) {}
func (nobody) Conflict([]poolq.Kind)               {}

// Submit performs op on pool and returns its outcome.
func (q *Queues) Submit(pool string, op *poolq.Op) poolq.Result {
	q.ops.Add(1)
	q.deps.Observer.QueueWait(op.Kind, 0)
	var res poolq.Result
	switch op.Kind {
	case poolq.Allocate:
		res = q.allocate(op.Ctx, pool, op)
	case poolq.Release:
		res.Released, res.Err = q.release(op.Ctx, pool, op)
		if res.Err != nil {
			q.suspects.add(op.UID, time.Now()) // a rollback's claim may stay
		}
	case poolq.Adopt:
		res.Err = q.adopt(op.Ctx, pool, op)
	default:
		res.Err = fmt.Errorf("pool %s: unknown operation %d", pool, op.Kind)
	}
	return res
}

// Counts returns the claim counters.
func (q *Queues) Counts() Stats {
	return Stats{Creates: q.creates.Load(), Lost: q.lost.Load(), Deletes: q.deletes.Load(),
		Updates: q.updates.Load(), FreshReads: q.freshReads.Load()}
}

// Stats returns the counters in the pool queues' terms (ipam.PoolOps):
// every claim write is a write of its own, a lost create is a conflict.
func (q *Queues) Stats() poolq.Stats {
	c := q.Counts()
	writes := c.Creates + c.Lost + c.Deletes + c.Updates
	return poolq.Stats{Ops: q.ops.Load(), Batches: q.ops.Load(), Writes: writes, Conflicts: c.Lost, Reads: c.FreshReads}
}

// Restore implements ipam.PoolOps: the claims need no start-up state, the
// agent's watch of them is the state.
func (q *Queues) Restore([]spiderpoolv2beta1.SpiderIPPool, poolq.Reserved) {}

// poolClaims lists the claims of pool from r. The pool label may hold a
// hash (long pool names), so spec.pool decides. The claims are only read:
// a cache hands out its own objects instead of a deep copy of every claim
// of the pool per allocation (the API client ignores the option).
func poolClaims(ctx context.Context, r client.Reader, pool string) ([]ipamclaimsv1alpha1.SpiderIPClaim, error) {
	var list ipamclaimsv1alpha1.SpiderIPClaimList
	err := r.List(ctx, &list, client.MatchingLabels{ipamclaimsv1alpha1.LabelPool: claims.PoolLabelValue(pool)},
		client.UnsafeDisableDeepCopy)
	if err != nil {
		return nil, fmt.Errorf("list the SpiderIPClaims of pool %s: %w", pool, err)
	}
	out := list.Items[:0]
	for _, c := range list.Items {
		if c.Spec.Pool == pool {
			out = append(out, c)
		}
	}
	return out, nil
}
