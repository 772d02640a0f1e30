// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"errors"

	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// Sentinel errors of the IPAM service. Each is wrapped once with the pod,
// interface or pool it concerns; match them with errors.Is. A malformed pod
// or namespace annotation is returned as the *annotation.Error of
// internal/annotation, wrapped with the pod, so errors.As finds it.
var (
	// ErrNotReady is returned by every operation before Restore has loaded
	// the existing allocations.
	ErrNotReady = errors.New("IPAM service not ready: existing allocations not restored yet")

	// ErrPodNotAlive is returned by Allocate for a pod that is terminating,
	// has finished (docs/reference/behaviour.md §1.3), or is not the
	// incarnation the request names (another pod UID).
	ErrPodNotAlive = errors.New("pod is not alive")

	// ErrNoPool is returned when no candidate pool is left for an interface
	// and IP family: no selection rule applies, or every candidate was
	// filtered out (the message says why for each pool), or the pool is
	// terminating. It is poolq.ErrNoPool.
	ErrNoPool = poolq.ErrNoPool

	// ErrWrongNode is returned for a request about a pod bound to another
	// node than this agent's: only the node's own agent may allocate or
	// release its pods' addresses.
	ErrWrongNode = errors.New("pod is bound to another node")

	// ErrStaticPod is returned by ReleaseAll for a conflict release of a
	// pod whose addresses are fixed (StatefulSet, KubeVirt VM): Spiderpool
	// answers it with HTTP 522.
	ErrStaticPod = errors.New("forbid releasing the IPs of a stateful workload")

	// ErrPoolNotFound is returned when a pool named by a selection rule does
	// not exist. The message names the pool. It is poolq.ErrPoolNotFound.
	ErrPoolNotFound = poolq.ErrPoolNotFound

	// ErrPoolExhausted is returned when every candidate pool of an
	// interface and family is full, as read from the API server, or has
	// reached SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS records. It is
	// poolq.ErrPoolExhausted.
	ErrPoolExhausted = poolq.ErrPoolExhausted

	// ErrNoAllocation is returned by Check when nothing is recorded for the
	// pod incarnation and interface.
	ErrNoAllocation = errors.New("no IP allocation recorded")

	// ErrBadRecord is store.ErrBadRecord: a pool or endpoint record cannot be
	// parsed or contradicts another record.
	ErrBadRecord = store.ErrBadRecord

	// ErrConflict is store.ErrConflict: a write lost an optimistic
	// concurrency race. The service re-reads and retries.
	ErrConflict = store.ErrConflict
)
