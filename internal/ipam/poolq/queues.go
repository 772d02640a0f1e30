// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolq

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// Deps are what the queues need.
type Deps struct {
	// Cache reads a pool (Get) as recent as the agent's watch of it: an
	// informer cache read, or an API read of a pool whose watched
	// resourceVersion moved when the agent watches pools' metadata only.
	Cache client.Reader
	// API reads the API server directly: the fresh reads.
	API client.Reader
	// Store writes the pools' status.
	Store store.Store
	// Clock paces the back-off and measures queue waits; nil means the
	// real clock.
	Clock clock.Clock
	// MaxRecords is the most records one pool may hold
	// (SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS).
	MaxRecords int
	// WriteTimeout bounds one status write, and how long the operations of
	// a write whose outcome is unknown wait for it after their callers
	// gave up.
	WriteTimeout time.Duration
	// Backoff paces the retries after a conflict.
	Backoff store.Backoff
	// Observer is told of queue waits and conflicts; nil means nobody.
	Observer Observer
}

// Observer is told what happens inside the queues. Its methods are called
// from the queues' goroutines, so they must be quick and safe for
// concurrent use.
type Observer interface {
	// QueueWait reports how long an operation of kind k waited in its
	// pool's queue before it was first tried.
	QueueWait(k Kind, wait time.Duration)
	// Conflict reports a status write refused because another writer
	// changed the pool first, with the kinds of operation it carried (each
	// once); the write is retried.
	Conflict(kinds []Kind)
}

type nopObserver struct{}

func (nopObserver) QueueWait(Kind, time.Duration) {}
func (nopObserver) Conflict([]Kind)               {}

// Stats are cumulative counters of the queues.
type Stats struct {
	// Ops counts operations served, Batches the batches they were served
	// in (retries included).
	Ops, Batches uint64
	// Writes counts status writes sent, Conflicts those refused with a
	// conflict, AmbiguousWrites those whose outcome was unknown.
	Writes, Conflicts, AmbiguousWrites uint64
	// Reads counts fresh reads from the API server, CacheLoads states taken
	// from the cache because it held a newer version.
	Reads, CacheLoads uint64
}

type counters struct {
	ops, batches, writes, conflicts, ambiguousWrites, reads, cacheLoads atomic.Uint64
}

// Queues holds the queue of each pool this agent uses, by pool name. It is
// safe for concurrent use.
type Queues struct {
	deps  Deps
	stats counters

	mu sync.Mutex
	m  map[string]*queue
}

// New returns an empty set of queues.
func New(deps Deps) *Queues {
	if deps.Clock == nil {
		deps.Clock = clock.RealClock{}
	}
	if deps.Observer == nil {
		deps.Observer = nopObserver{}
	}
	return &Queues{deps: deps, m: map[string]*queue{}}
}

// Submit queues op on pool and waits for its outcome. It always waits for
// the outcome, even after op.Ctx is done: an operation is either dropped
// before it is tried, or its write runs to completion, so the caller always
// knows whether an address was taken.
func (qs *Queues) Submit(pool string, op *Op) Result {
	return qs.queue(pool).submit(op)
}

// Restore installs the pools read at start-up (or a resynchronisation) in
// their idle queues and removes the idle queues of pools not listed.
func (qs *Queues) Restore(pools []spiderpoolv2beta1.SpiderIPPool, reserved Reserved) {
	listed := make(map[string]bool, len(pools))
	for i := range pools {
		listed[pools[i].Name] = true
		qs.queue(pools[i].Name).restore(&pools[i], reserved)
	}
	qs.pruneUnlisted(listed)
}

// Recorded returns, sorted, the addresses that the queue's current state of
// pool records for the pod uid, after catching up with a newer cached copy:
// no API cost. known is false when the queue has no state loaded or is busy
// with a batch (its state is then being changed): ask the API server.
func (qs *Queues) Recorded(pool, uid string) (addrs []netip.Addr, known bool) {
	qs.mu.Lock()
	q := qs.m[pool]
	qs.mu.Unlock()
	if q == nil {
		return nil, false
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running || q.state == nil { // the state belongs to a running goroutine
		return nil, false
	}
	q.catchUp(context.Background())
	addrs = slices.Clone(q.state.byUID[uid])
	slices.SortFunc(addrs, netip.Addr.Compare)
	return addrs, true
}

// Stats returns a snapshot of the counters.
func (qs *Queues) Stats() Stats {
	c := &qs.stats
	return Stats{
		Ops: c.ops.Load(), Batches: c.batches.Load(),
		Writes: c.writes.Load(), Conflicts: c.conflicts.Load(), AmbiguousWrites: c.ambiguousWrites.Load(),
		Reads: c.reads.Load(), CacheLoads: c.cacheLoads.Load(),
	}
}

// queue returns the queue of pool name, creating it.
func (qs *Queues) queue(name string) *queue {
	qs.mu.Lock()
	defer qs.mu.Unlock()
	q, ok := qs.m[name]
	if !ok {
		q = &queue{name: name, qs: qs, deps: &qs.deps}
		qs.m[name] = q
	}
	return q
}

// prune removes q if its pool is gone and it is idle: no goroutine runs
// and nothing is pending. A submit that obtained q before finds it dead and
// goes to the queue that replaces it.
func (qs *Queues) prune(q *queue) {
	qs.mu.Lock()
	defer qs.mu.Unlock()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running || len(q.pending) > 0 || !q.gone.Load() || qs.m[q.name] != q {
		return
	}
	delete(qs.m, q.name)
	q.dead = true
}

// pruneUnlisted marks the queues of pools not in listed as gone and removes
// those that are idle.
func (qs *Queues) pruneUnlisted(listed map[string]bool) {
	qs.mu.Lock()
	var stale []*queue
	for name, q := range qs.m {
		if !listed[name] {
			stale = append(stale, q)
		}
	}
	qs.mu.Unlock()
	for _, q := range stale {
		q.gone.Store(true)
		qs.prune(q)
	}
}
