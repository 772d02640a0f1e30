// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolq

import (
	"context"
	"strconv"

	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Several agents write one pool. An agent's state is current after its own
// write, until another agent writes; its next write then fails with a
// conflict and costs a wasted write, a fresh read and a back-off. The other
// agent's write reaches this agent's informer within milliseconds, though,
// so before each write the queue adopts the cached object when it is newer
// than its own, and after a conflict it reloads from the cache when the
// cache has moved past the version that conflicted. Only a version the
// cache cannot improve on, or a decision that needs proof ("full",
// "already yours"), costs a read from the API server.

// newerVersion reports whether resourceVersion a is newer than b. etcd3
// storage gives resource versions as increasing integers (Kubernetes 1.35
// makes that comparison part of the API, KEP-5504); anything else is
// never newer, so the queue falls back to reading the API server.
func newerVersion(a, b string) bool {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	return errA == nil && errB == nil && x > y
}

// cachedNewer returns a copy of the cached pool if its resourceVersion is
// newer than rv, else nil. A version newer than one this agent wrote or
// read holds that write: etcd orders every write of an object.
func (q *queue) cachedNewer(ctx context.Context, rv string) *spiderpoolv2beta1.SpiderIPPool {
	if rv == "" {
		return nil
	}
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := q.deps.Cache.Get(ctx, client.ObjectKey{Name: q.name}, pool); err != nil {
		return nil // the API server read that follows reports real errors
	}
	if !newerVersion(pool.ResourceVersion, rv) {
		return nil
	}
	return pool
}

// catchUp replaces the queue's state with the cached pool when another
// writer has moved the pool on since this agent's last read or write. The
// state holds no unwritten change between attempts, so this loses nothing.
func (q *queue) catchUp(ctx context.Context) {
	if q.state == nil {
		return
	}
	pool := q.cachedNewer(ctx, q.state.pool.ResourceVersion)
	if pool == nil {
		return
	}
	st, err := newPoolState(pool, q.reserved, &q.usable)
	if err != nil {
		return // keep ours; the write's outcome decides
	}
	q.setState(st)
	q.qs.stats.cacheLoads.Add(1)
}
