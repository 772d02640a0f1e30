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

// releaseRecords removes from each pool the records of the incarnation,
// except the claimed addresses, and returns how many it removed, also
// when some pool failed.
func (c *collector) releaseRecords(ctx context.Context, inc incarnation, pools map[string]bool,
	claimed map[poolAddr]bool,
) (int, error) {
	total := 0
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(pools)) {
		n, err := c.releaseFromPool(ctx, name, inc, claimed)
		total += n
		errs = append(errs, err)
	}
	return total, errors.Join(errs...)
}

// releaseFromPool is releaseFromPoolOnce, retried from a fresh read after
// a lost optimistic-concurrency race.
func (c *collector) releaseFromPool(ctx context.Context, name string, inc incarnation, claimed map[poolAddr]bool) (int, error) {
	for attempt := 0; ; attempt++ {
		n, err := c.releaseFromPoolOnce(ctx, name, inc, claimed)
		if !errors.Is(err, store.ErrConflict) {
			return n, err
		}
		c.metrics.conflicts.Inc()
		if werr := c.sleep(ctx, attempt, err); werr != nil {
			return 0, werr
		}
	}
}

// releaseFromPoolOnce reads the pool from the API server, removes the
// records held by exactly the incarnation (same ns/name and pod UID), and
// writes the status on the condition that the pool has not changed since
// the read. A pool that is gone holds nothing (Spiderpool ignores it too).
func (c *collector) releaseFromPoolOnce(ctx context.Context, name string, inc incarnation, claimed map[poolAddr]bool) (int, error) {
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	err := c.api.Get(ctx, client.ObjectKey{Name: name}, pool)
	switch {
	case apierrors.IsNotFound(err):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("read SpiderIPPool %s: %w", name, err)
	}
	recs, err := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
	if err != nil {
		return 0, fmt.Errorf("SpiderIPPool %s: %w: %w", name, store.ErrBadRecord, err)
	}
	n := dropRecords(recs, name, inc, claimed)
	if n == 0 {
		return 0, nil
	}
	count := int64(len(recs))
	pool.Status.AllocatedIPs, pool.Status.AllocatedIPCount = spiderpoolv2beta1.FormatAllocatedIPs(recs), &count
	wctx, cancel := writeContext(ctx)
	defer cancel()
	if err := c.store.UpdatePoolStatus(wctx, pool); err != nil {
		return 0, fmt.Errorf("update SpiderIPPool %s status: %w", name, err)
	}
	return n, nil
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

// dropRecords deletes from recs of pool the records of inc that are not
// claimed, and returns how many it deleted.
func dropRecords(recs spiderpoolv2beta1.PoolIPAllocations, pool string, inc incarnation, claimed map[poolAddr]bool) int {
	n := 0
	for ip, rec := range recs {
		if rec.PodUID != inc.UID || rec.NamespacedName != inc.key() || claimed[poolAddr{pool: pool, ip: canonicalIP(ip)}] {
			continue
		}
		delete(recs, ip)
		n++
	}
	return n
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
