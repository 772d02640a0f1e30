// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package poolq is the agent's per-pool write queue of SpiderIPPool
// records (status.allocatedIPs), used by internal/ipam. Operations on one
// pool (allocate, release, adopt) are serialised, and those queued while a
// write is in flight are applied together in the next single status write.
// Each queue keeps the pool as last read or written (resourceVersion,
// decoded records, records by pod UID, an internal/allocator Pool and the
// pool's usable set), so an uncontended allocation needs no API read.
//
// Every write carries the resourceVersion: on a conflict the queue backs
// off, reloads (from the informer cache when it has moved past the version
// that conflicted, else from the API server) and re-applies for as long as
// a caller's context lives. A write whose outcome is unknown (no answer,
// 500, 504, timeout) is settled by a fresh read, since every operation is
// idempotent for its pod UID; "pool full" and "already yours" are only
// reported from a fresh read. What does not parse stops only itself: a
// pool whose spec cannot be used still releases. The queue of a pool that
// is gone is removed once idle. Everything the queues need comes in Deps.
package poolq
