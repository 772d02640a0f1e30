// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolq

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// queue serialises the operations of this agent on one pool and
// batches them: the operations queued while a write is in flight go into
// the next single status write. A goroutine runs while there is work.
type queue struct {
	name string
	qs   *Queues
	deps *Deps

	mu      sync.Mutex
	pending []*Op
	running bool

	// state and usable belong to the running goroutine; restore and
	// Queues.Recorded use them, under mu, only while no goroutine runs.
	state  *poolState
	usable usableCache
	// reserved is the newest reserved-IP list seen with an allocation.
	reserved Reserved
	// knownVersion is the newest resourceVersion of the pool this queue
	// has read or written: a cached copy must be newer to be used instead
	// of a fresh read, so that it holds every write this agent made.
	// needFresh asks for a fresh read regardless.
	knownVersion string
	needFresh    bool
	// uid is the UID of the object knownVersion belongs to.
	uid types.UID

	// gone is set when the pool was read as not found and cleared when a
	// state is installed: an idle queue of a gone pool is removed.
	gone atomic.Bool
	// dead is set, under mu, once the queue is removed from Queues:
	// a submit that still holds it goes to the queue of the name instead.
	dead bool
}

// submit queues op and waits for its outcome. It always waits for the
// outcome, even after op.Ctx is done: an operation is either dropped before
// it is tried, or its write runs to completion, so the caller always knows
// whether an address was taken.
func (q *queue) submit(op *Op) Result {
	op.done = make(chan struct{})
	op.queued = q.deps.Clock.Now()
	q.mu.Lock()
	if q.dead {
		q.mu.Unlock()
		return q.qs.queue(q.name).submit(op)
	}
	q.pending = append(q.pending, op)
	start := !q.running
	q.running = true
	q.mu.Unlock()
	if start {
		go q.run()
	}
	<-op.done
	return op.res
}

func (q *queue) run() {
	for {
		q.mu.Lock()
		batch := q.pending
		q.pending = nil
		if len(batch) == 0 {
			q.running = false
			q.mu.Unlock()
			if q.gone.Load() {
				q.qs.prune(q)
			}
			return
		}
		q.mu.Unlock()
		q.process(batch)
	}
}

// takePending moves the operations queued meanwhile into batch.
func (q *queue) takePending(batch []*Op) []*Op {
	q.mu.Lock()
	defer q.mu.Unlock()
	batch = append(batch, q.pending...)
	q.pending = nil
	return batch
}

// restore installs the state of pool read at start-up, unless the queue is
// busy (its own state is then at least as recent).
func (q *queue) restore(pool *spiderpoolv2beta1.SpiderIPPool, reserved Reserved) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running {
		return
	}
	q.reserved = reserved
	st, err := newPoolState(pool, reserved, &q.usable)
	if err != nil {
		q.state = nil // reported when the pool is used
		return
	}
	q.setState(st)
}

// maxRereads bounds the consecutive attempts of one batch that fail in a
// way only a fresh read can settle: a write or read whose outcome is
// unknown, a pool not found.
const maxRereads = 3

// outcome is what an attempt leaves to do.
type outcome uint8

const (
	// done: every operation has its result.
	done outcome = iota
	// retryNow: re-apply at once (on a fresh read).
	retryNow
	// retryLater: back off, then re-apply (the write lost a race).
	retryLater
	// reread: back off, read the pool from the API server and re-apply:
	// the write failed in a way a fresh read settles. Bounded by
	// maxRereads in a row.
	reread
)

// nextRereads counts the rereads in a row.
func nextRereads(out outcome, n int) int {
	if out == reread {
		return n + 1
	}
	return 0
}

// process runs batch until every operation has an outcome: conflicts are
// retried, after re-reading the pool, with backoff for as long as any of
// the operations' contexts lives.
func (q *queue) process(batch []*Op) {
	fresh, rereads := false, 0
	for attempt := 0; ; attempt++ {
		batch = dropDone(q.name, q.takePending(batch))
		if len(batch) == 0 {
			return
		}
		q.observeQueueWait(batch)
		ctx, cancel := anyContext(batch)
		out, err := q.attempt(ctx, batch, attempt, &fresh)
		if rereads = nextRereads(out, rereads); rereads >= maxRereads {
			failAll(batch, err)
			out = done
		}
		if out == done {
			cancel()
			q.finish(batch)
			return
		}
		if out != retryNow {
			q.sleep(ctx, q.deps.Backoff.Delay(attempt))
		}
		cancel()
	}
}

// attempt applies batch to the pool state and writes it. It reports what
// is left to do, with the error that caused a reread.
func (q *queue) attempt(ctx context.Context, batch []*Op, attempt int, fresh *bool) (outcome, error) {
	q.noteReserved(batch)
	q.catchUp(ctx)
	if q.state == nil {
		if err := q.load(ctx, batch, attempt == 0, fresh); err != nil {
			return q.loadOutcome(ctx, batch, err)
		}
	}
	st := q.state
	st.setReserved(q.reserved)
	changed := false
	for _, op := range batch {
		changed = st.apply(op, q.deps.MaxRecords) || changed
	}
	if st.outOfSpec {
		defer q.forget() // after the write of the others' changes
	}
	// "Full" and "already yours" must be true of the pool as stored, not of
	// a stale copy; a successful write proves the copy current.
	if !*fresh && (anyExhausted(batch) || (!changed && anyReused(batch))) {
		q.discard()
		q.needFresh = true
		return retryNow, nil
	}
	if !changed {
		return done, nil
	}
	return q.writeOutcome(batch, q.write(ctx, st))
}

// writeOutcome judges a failed write. A lost race is retried after a back
// off, as is a throttled write (429), which did not land either. A write
// whose outcome is unknown (store.Ambiguous: no answer, 500, 504, timeout)
// is treated like a lost race, but settled by a fresh read: every operation
// is idempotent for its UID (an allocation finds its landed record, a
// release or adoption that landed changes nothing), so re-applying the
// batch reports what the pool really holds. A pool not found is read again
// (gone, or deleted and re-created). Anything else fails the batch.
func (q *queue) writeOutcome(batch []*Op, err error) (outcome, error) {
	switch {
	case err == nil:
		return done, nil
	case errors.Is(err, store.ErrConflict):
		q.qs.stats.conflicts.Add(1)
		q.observeConflict(batch)
		q.discard()
		return retryLater, nil
	case apierrors.IsTooManyRequests(err):
		q.discard()
		return retryLater, nil
	case apierrors.IsNotFound(err):
		q.forget()
		q.needFresh = true
		return reread, err
	case store.Ambiguous(err):
		q.qs.stats.ambiguousWrites.Add(1)
		for _, op := range batch {
			op.detach(q.deps.WriteTimeout)
		}
		q.discard()
		q.needFresh = true
		return reread, err
	}
	q.discard()
	failAll(batch, err)
	return done, nil
}

// loadOutcome judges a failed load: a read that timed out or failed with a
// 500 (an overloaded API server) is tried again while a caller waits,
// bounded like a write; a pool not found or any other error fails the
// batch.
func (q *queue) loadOutcome(ctx context.Context, batch []*Op, err error) (outcome, error) {
	if ctx.Err() == nil && !errors.Is(err, ErrPoolNotFound) && store.Ambiguous(err) {
		q.needFresh = true
		return reread, err
	}
	failAll(batch, err)
	return done, nil
}

// load builds the state from a cached object when one can be trusted: the
// batch's hint on a first attempt, or the cache once it has moved past the
// version that conflicted. Otherwise it reads the API server.
func (q *queue) load(ctx context.Context, batch []*Op, useHint bool, fresh *bool) error {
	pool := q.cachedCopy(ctx, batch, useHint)
	if pool == nil {
		var err error
		if pool, err = q.read(ctx); err != nil {
			return err
		}
		*fresh, q.needFresh = true, false
	}
	st, err := newPoolState(pool, q.reserved, &q.usable)
	if err != nil {
		return err
	}
	q.setState(st)
	return nil
}

// setState installs st and notes its version as known. Versions of another
// object of the same name (deleted and re-created) are not comparable.
func (q *queue) setState(st *poolState) {
	q.state = st
	q.gone.Store(false)
	if st.pool.UID != q.uid {
		q.uid, q.knownVersion = st.pool.UID, ""
	}
	if newerVersion(st.pool.ResourceVersion, q.knownVersion) || q.knownVersion == "" {
		q.knownVersion = st.pool.ResourceVersion
	}
}

func (q *queue) cachedCopy(ctx context.Context, batch []*Op, useHint bool) *spiderpoolv2beta1.SpiderIPPool {
	switch {
	case q.needFresh:
		return nil
	case useHint && firstHint(batch) != nil:
		return firstHint(batch).DeepCopy()
	}
	pool := q.cachedNewer(ctx, q.knownVersion)
	if pool != nil {
		q.qs.stats.cacheLoads.Add(1)
	}
	return pool
}

// read reads the pool from the API server.
func (q *queue) read(ctx context.Context) (*spiderpoolv2beta1.SpiderIPPool, error) {
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	q.qs.stats.reads.Add(1)
	if err := q.deps.API.Get(ctx, client.ObjectKey{Name: q.name}, pool); err != nil {
		if apierrors.IsNotFound(err) {
			q.forget()
			q.gone.Store(true)
			return nil, fmt.Errorf("%w: %s", ErrPoolNotFound, q.name)
		}
		return nil, fmt.Errorf("read pool %s: %w", q.name, err)
	}
	return pool, nil
}

// noteReserved takes the reserved IPs of the newest allocation in batch;
// releases carry none.
func (q *queue) noteReserved(batch []*Op) {
	for i := len(batch) - 1; i >= 0; i-- {
		if batch[i].Kind == Allocate {
			q.reserved = batch[i].Reserved
			return
		}
	}
}

func (q *queue) discard() {
	q.state = nil
}

// forget drops everything the queue knows of the pool: it is gone, or its
// cached usable set proved wrong. A pool re-created under the name starts
// afresh.
func (q *queue) forget() {
	q.state, q.usable = nil, usableCache{}
	q.knownVersion, q.uid, q.needFresh = "", "", false
}

// write stores st's records with st.pool's resourceVersion as the lock. The
// write is not cancelled with ctx, so that its outcome is always known; it
// is bounded by Deps.WriteTimeout.
func (q *queue) write(ctx context.Context, st *poolState) error {
	pool := st.pool.DeepCopy()
	pool.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(st.records)
	n := int64(len(st.records))
	pool.Status.AllocatedIPCount = &n
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), q.deps.WriteTimeout)
	defer cancel()
	q.qs.stats.writes.Add(1)
	if err := q.deps.Store.UpdatePoolStatus(wctx, pool); err != nil {
		return fmt.Errorf("write pool %s status: %w", q.name, err)
	}
	st.pool = pool
	q.setState(st)
	return nil
}

func (q *queue) sleep(ctx context.Context, d time.Duration) {
	t := q.deps.Clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
	case <-ctx.Done():
	}
}

func (q *queue) finish(batch []*Op) {
	q.qs.stats.batches.Add(1)
	q.qs.stats.ops.Add(uint64(len(batch)))
	for _, op := range batch {
		op.complete()
	}
}
