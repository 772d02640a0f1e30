// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import "sync/atomic"

// Stats are cumulative counters of a Service, for metrics and benchmarks.
type Stats struct {
	// Allocations counts Allocate calls that returned a result.
	Allocations uint64
	// AllocationFailures counts Allocate calls that returned an error.
	AllocationFailures uint64
	// ReleasedIPs counts addresses removed from pools.
	ReleasedIPs uint64
	// PoolOps counts pool operations served (allocate, release, adopt).
	PoolOps uint64
	// PoolBatches counts the batches PoolOps were served in: a batch is
	// every operation queued on a pool while the previous write was in
	// flight, applied together and written once (retries included).
	PoolBatches uint64
	// PoolWrites counts SpiderIPPool status updates sent, including those
	// that lost a race.
	PoolWrites uint64
	// PoolConflicts counts status updates refused with a conflict.
	PoolConflicts uint64
	// PoolAmbiguousWrites counts status updates whose outcome was unknown
	// (no answer, a 500, 504 or timeout; store.Ambiguous): the queue learnt
	// it from a fresh read.
	PoolAmbiguousWrites uint64
	// PoolReads counts fresh pool reads from the API server.
	PoolReads uint64
	// PoolCacheLoads counts pool states taken from the informer cache
	// because it had a newer version than the queue (package poolq).
	PoolCacheLoads uint64
	// EndpointWrites counts SpiderEndpoint creates, updates, finalizer
	// removals and deletes sent.
	EndpointWrites uint64
	// EndpointConflicts counts endpoint writes refused with a conflict.
	EndpointConflicts uint64
}

type counters struct {
	allocations, allocationFailures, releasedIPs atomic.Uint64
	endpointWrites, endpointConflicts            atomic.Uint64
}

// Stats returns a snapshot of the service's counters.
func (s *Service) Stats() Stats {
	c, q := &s.stats, s.queues.Stats()
	return Stats{
		Allocations:         c.allocations.Load(),
		AllocationFailures:  c.allocationFailures.Load(),
		ReleasedIPs:         c.releasedIPs.Load(),
		PoolOps:             q.Ops,
		PoolBatches:         q.Batches,
		PoolWrites:          q.Writes,
		PoolConflicts:       q.Conflicts,
		PoolAmbiguousWrites: q.AmbiguousWrites,
		PoolReads:           q.Reads,
		PoolCacheLoads:      q.CacheLoads,
		EndpointWrites:      c.endpointWrites.Load(),
		EndpointConflicts:   c.endpointConflicts.Load(),
	}
}
