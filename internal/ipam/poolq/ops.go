// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolq

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// Kind is what a pool operation does.
type Kind uint8

const (
	// Allocate takes one address for a pod, or returns the one the pod
	// UID already holds (an idempotent retry, Spiderpool #4295).
	Allocate Kind = iota + 1
	// Release removes the records of ips held by the pod UID.
	Release
	// Adopt rewrites the records of ips, held by the same pod name, to a
	// new pod UID (StatefulSet re-creation).
	Adopt
)

// Op is one request queued on a pool. The queue fills its result and
// closes done exactly once.
type Op struct {
	// Ctx bounds the wait: an operation whose Ctx is done before it is
	// tried is dropped with its error.
	Ctx  context.Context
	Kind Kind
	// PodKey is "<namespace>/<name>" of the pod, UID its UID.
	PodKey string
	UID    string
	// Avoid (Allocate) are addresses never to return.
	Avoid map[netip.Addr]bool
	// IPs (Release, Adopt) are the addresses concerned.
	IPs []netip.Addr
	// Hint (Allocate, optional) is a read-only cached copy of the pool,
	// used when the queue has no state.
	Hint *spiderpoolv2beta1.SpiderIPPool
	// Reserved (Allocate) are the reserved IPs to apply.
	Reserved Reserved

	res  Result
	done chan struct{}
	// queued is when op entered the queue; tried is set once it has been
	// tried (for the Observer's queue wait).
	queued time.Time
	tried  bool
	// stop releases the context that replaced ctx once op was written with
	// an unknown outcome (see detach).
	stop context.CancelFunc
}

// complete hands op's result to its caller.
func (op *Op) complete() {
	if op.stop != nil {
		op.stop()
	}
	close(op.done)
}

// detach gives op, whose write may have landed, a context of its own,
// bounded by timeout: its outcome is learnt from a fresh read even if the
// caller gave up meanwhile, so that the caller can undo what landed.
func (op *Op) detach(timeout time.Duration) {
	if op.stop == nil {
		op.Ctx, op.stop = context.WithTimeout(context.WithoutCancel(op.Ctx), timeout)
	}
}

// Result is the outcome of an Op.
type Result struct {
	// IP (Allocate) is the address taken or found.
	IP netip.Addr
	// Reused (Allocate) says IP was already recorded for the pod UID.
	Reused bool
	// Released (Release) counts the records removed.
	Released int
	// Pool describes the pool, as the state the outcome was decided on.
	Pool Info
	Err  error
}

// apply performs op on st in memory and reports whether the records
// changed, i.e. whether a status write is needed.
func (st *poolState) apply(op *Op, maxRecords int) bool {
	op.res = Result{Pool: st.info()}
	switch op.Kind {
	case Allocate:
		return st.allocate(op, maxRecords)
	case Release:
		return st.release(op)
	default:
		return st.adopt(op)
	}
}

func (st *poolState) allocate(op *Op, maxRecords int) bool {
	name := st.pool.Name
	if st.pool.DeletionTimestamp != nil {
		op.res.Err = fmt.Errorf("%w: pool %s is terminating", ErrNoPool, name)
		return false
	}
	if st.specErr != nil {
		op.res.Err = st.specErr
		return false
	}
	if a, ok := st.held(op.UID, op.Avoid); ok {
		op.res.IP, op.res.Reused = a, true
		return false
	}
	if len(st.records) >= maxRecords {
		op.res.Err = fmt.Errorf("%w: pool %s holds %d records, the most SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS allows",
			ErrPoolExhausted, name, len(st.records))
		return false
	}
	a, err := st.firstFree(withQuarantine(op.Avoid, st.pool))
	if err == nil {
		err = st.checkInSpec(a)
	}
	if err == nil {
		err = st.alloc.Allocate(a)
	}
	if err != nil {
		op.res.Err = err
		return false
	}
	st.addRecord(a, spiderpoolv2beta1.PoolIPAllocation{NamespacedName: op.PodKey, PodUID: op.UID})
	op.res.IP = a
	return true
}

// take marks a, which no record holds, as allocated.
func (st *poolState) take(a netip.Addr) error {
	if st.alloc == nil {
		return st.specErr
	}
	return st.alloc.Allocate(a)
}

// held returns the lowest address recorded for uid that is not in avoid.
func (st *poolState) held(uid string, avoid map[netip.Addr]bool) (netip.Addr, bool) {
	var best netip.Addr
	for _, a := range st.byUID[uid] {
		if !avoid[a] && (!best.IsValid() || a.Less(best)) {
			best = a
		}
	}
	return best, best.IsValid()
}

// firstFree returns the lowest free address not in avoid, in O(k log n)
// for k avoided addresses.
func (st *poolState) firstFree(avoid map[netip.Addr]bool) (netip.Addr, error) {
	a, err := st.alloc.FirstFree()
	for err == nil && avoid[a] {
		next := a.Next()
		if !next.IsValid() {
			err = allocator.ErrExhausted
			break
		}
		var b netip.Addr
		b, err = st.alloc.NextFree(next)
		if err == nil && !a.Less(b) { // wrapped around: nothing above a
			err = allocator.ErrExhausted
		}
		a = b
	}
	if errors.Is(err, allocator.ErrExhausted) {
		return netip.Addr{}, fmt.Errorf("%w: pool %s has no free address", ErrPoolExhausted, st.pool.Name)
	}
	if err != nil {
		return netip.Addr{}, fmt.Errorf("pool %s: %w", st.pool.Name, err)
	}
	return a, nil
}

func (st *poolState) release(op *Op) bool {
	for _, a := range op.IPs {
		rec, ok := st.records[a.String()]
		if !ok || rec.PodUID != op.UID {
			continue
		}
		if err := st.removeRecord(a); err != nil {
			op.res.Err = fmt.Errorf("pool %s: release %s: %w", st.pool.Name, a, err)
			break
		}
		op.res.Released++
	}
	return op.res.Released > 0
}

// adopt gives op.UID the records of op.IPs. Each must be recorded for the
// same pod name, or be free (a record removed meanwhile is taken again).
func (st *poolState) adopt(op *Op) bool {
	for _, a := range op.IPs {
		if rec, ok := st.records[a.String()]; ok && rec.NamespacedName != op.PodKey {
			op.res.Err = fmt.Errorf("%w: pool %s records %s for %s, not %s", store.ErrBadRecord, st.pool.Name, a,
				rec.NamespacedName, op.PodKey)
			return false
		}
	}
	changed := false
	for _, a := range op.IPs {
		rec, ok := st.records[a.String()]
		if ok && rec.PodUID == op.UID {
			continue
		}
		if ok {
			st.dropUID(rec.PodUID, a)
		} else if err := st.take(a); err != nil {
			op.res.Err = fmt.Errorf("%w: pool %s cannot give %s back to %s: %w", store.ErrBadRecord, st.pool.Name, a, op.PodKey, err)
			return changed
		}
		st.addRecord(a, spiderpoolv2beta1.PoolIPAllocation{NamespacedName: op.PodKey, PodUID: op.UID})
		changed = true
	}
	return changed
}
