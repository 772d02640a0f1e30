// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"time"

	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
)

// Operation names what a pool operation serves, for an Observer.
type Operation uint8

const (
	// OperationAllocation is a pool operation of Allocate: taking an
	// address, or giving a StatefulSet pod's address to its new UID.
	OperationAllocation Operation = iota + 1
	// OperationRelease is a pool operation of Release or ReleaseAll.
	OperationRelease
)

// String implements fmt.Stringer.
func (o Operation) String() string {
	switch o {
	case OperationAllocation:
		return "allocation"
	case OperationRelease:
		return "release"
	}
	return "unknown"
}

// Observer is told what happens inside the per-pool queues, which the
// callers of the service cannot see; package metrics implements it. Its
// methods are called from the queues' goroutines, so they must be quick and
// safe for concurrent use.
type Observer interface {
	// PoolQueueWait reports how long one pool operation waited in its
	// pool's queue before it was first tried: the time spent behind the
	// operations of this agent on the same pool (Spiderpool's "limiter"
	// wait).
	PoolQueueWait(op Operation, wait time.Duration)
	// PoolConflict reports a pool status write refused because another
	// writer changed the pool first, once for each kind of operation the
	// write carried; the write is retried.
	PoolConflict(op Operation)
}

// nopObserver is the Observer of a service given none.
type nopObserver struct{}

func (nopObserver) PoolQueueWait(Operation, time.Duration) {}
func (nopObserver) PoolConflict(Operation)                 {}

// queueObserver tells an Observer what the pool queues report.
type queueObserver struct{ Observer }

// PoolObserver returns the pool operations' observer (poolq.Observer) that
// reports to o: for pool operations built outside the service (PoolOps),
// such as the claim storage's.
func PoolObserver(o Observer) poolq.Observer { return queueObserver{o} }

// operation is the Observer's name for a queue operation kind.
func operation(k poolq.Kind) Operation {
	if k == poolq.Release {
		return OperationRelease
	}
	return OperationAllocation
}

// QueueWait implements poolq.Observer.
func (o queueObserver) QueueWait(k poolq.Kind, wait time.Duration) {
	o.PoolQueueWait(operation(k), wait)
}

// Conflict implements poolq.Observer: once per Operation the write carried.
func (o queueObserver) Conflict(kinds []poolq.Kind) {
	var seen [OperationRelease + 1]bool
	for _, k := range kinds {
		if op := operation(k); !seen[op] {
			seen[op] = true
			o.PoolConflict(op)
		}
	}
}
