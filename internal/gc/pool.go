// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// maxWriteAttempts bounds the retries of one conditional write; after
// that the release fails and the work queue (or the next scan) retries
// it, so that one hot pool does not hold a worker.
const maxWriteAttempts = 10

// releaseRecords removes from each pool of s the records of s.inc, except
// the claimed addresses, and returns what it removed and saw, also when
// some pool failed.
func (c *collector) releaseRecords(ctx context.Context, s scope) (outcome, error) {
	var total outcome
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(s.pools)) {
		out, err := c.releaseFromPool(ctx, name, s)
		total.add(out)
		errs = append(errs, err)
	}
	return total, errors.Join(errs...)
}

// releaseFromPool is releaseFromPoolOnce, retried from a fresh read after
// a lost optimistic-concurrency race.
func (c *collector) releaseFromPool(ctx context.Context, name string, s scope) (outcome, error) {
	for attempt := 0; ; attempt++ {
		out, err := c.releaseFromPoolOnce(ctx, name, s)
		if !errors.Is(err, store.ErrConflict) {
			return out, err
		}
		c.metrics.conflicts.Inc()
		if werr := c.sleep(ctx, attempt, err); werr != nil {
			return outcome{}, werr
		}
	}
}

// releaseFromPoolOnce reads the pool from the API server, removes the
// records held by exactly the incarnation (same ns/name and pod UID), and
// writes the status on the condition that the pool has not changed since
// the read. A pool that is gone holds nothing (Spiderpool ignores it too).
func (c *collector) releaseFromPoolOnce(ctx context.Context, name string, s scope) (outcome, error) {
	pool, recs, err := c.readPool(ctx, name)
	if err != nil || pool == nil {
		return outcome{}, err
	}
	out := outcome{heldByOthers: s.heldByOthers(recs, name), removed: s.dropRecords(recs, name)}
	if out.removed == 0 {
		return out, nil
	}
	count := int64(len(recs))
	pool.Status.AllocatedIPs, pool.Status.AllocatedIPCount = spiderpoolv2beta1.FormatAllocatedIPs(recs), &count
	wctx, cancel := writeContext(ctx)
	defer cancel()
	if err := c.store.UpdatePoolStatus(wctx, pool); err != nil {
		return outcome{}, fmt.Errorf("update SpiderIPPool %s status: %w", name, err)
	}
	return out, nil
}

// readPool reads the pool name and its records from the API server; a pool
// that is gone is nil.
func (c *collector) readPool(ctx context.Context, name string) (*spiderpoolv2beta1.SpiderIPPool, spiderpoolv2beta1.PoolIPAllocations, error) {
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	err := c.api.Get(ctx, client.ObjectKey{Name: name}, pool)
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("read SpiderIPPool %s: %w", name, err)
	}
	recs, err := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
	if err != nil {
		return nil, nil, fmt.Errorf("SpiderIPPool %s: %w: %w", name, store.ErrBadRecord, err)
	}
	return pool, recs, nil
}

// writeTimeout bounds a write that runs to completion even when the work
// that started it is cancelled (a lost lease, a stopping controller).
const writeTimeout = 30 * time.Second

// writeContext returns the context of one API write: not cancelled with
// ctx, so that a write already sent is not abandoned half-way and its
// outcome (and the GC counters) stays known; bounded by writeTimeout.
func writeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
}

// dropRecords deletes from recs of pool the records of s.inc that are not
// claimed, and returns how many it deleted.
func (s scope) dropRecords(recs spiderpoolv2beta1.PoolIPAllocations, pool string) int {
	n := 0
	for ip, rec := range recs {
		if !s.holds(rec) || s.claimed[poolAddr{pool: pool, ip: canonicalIP(ip)}] {
			continue
		}
		delete(recs, ip)
		n++
	}
	return n
}

// heldByOthers reports whether recs of pool give an address listed by
// s.inc's endpoint to another holder.
func (s scope) heldByOthers(recs spiderpoolv2beta1.PoolIPAllocations, pool string) bool {
	for ip, rec := range recs {
		if !s.holds(rec) && s.listed[poolAddr{pool: pool, ip: canonicalIP(ip)}] {
			return true
		}
	}
	return false
}

// holds reports whether rec is a record of s.inc.
func (s scope) holds(rec spiderpoolv2beta1.PoolIPAllocation) bool {
	return rec.PodUID == s.inc.UID && rec.NamespacedName == s.inc.key()
}

// sleep waits the backoff of retry number attempt after err, or returns
// err (joined with the context's) when the context ends or the attempts
// are used up. Backoff runs on real time: it paces API writes, it is not a
// grace period.
func (c *collector) sleep(ctx context.Context, attempt int, err error) error {
	if attempt+1 >= maxWriteAttempts {
		return fmt.Errorf("gave up after %d attempts: %w", maxWriteAttempts, err)
	}
	t := time.NewTimer(c.opts.Backoff.Delay(attempt))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return errors.Join(err, ctx.Err())
	}
}
