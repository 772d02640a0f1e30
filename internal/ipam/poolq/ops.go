// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// opKind is what a pool operation does.
type opKind uint8

const (
	// opAllocate takes one address for a pod, or returns the one the pod
	// UID already holds (an idempotent retry, Spiderpool #4295).
	opAllocate opKind = iota + 1
	// opRelease removes the records of ips held by the pod UID.
	opRelease
	// opAdopt rewrites the records of ips, held by the same pod name, to a
	// new pod UID (StatefulSet re-creation).
	opAdopt
)

// poolOp is one request queued on a pool. The queue fills res and closes
// done exactly once.
type poolOp struct {
	ctx      context.Context
	kind     opKind
	podKey   string // "<namespace>/<name>"
	uid      string
	avoid    map[netip.Addr]bool             // opAllocate: never return these
	ips      []netip.Addr                    // opRelease, opAdopt
	hint     *spiderpoolv2beta1.SpiderIPPool // read-only cached object, used when the queue has no state
	reserved reservedIPs

	res  opResult
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
func (op *poolOp) complete() {
	if op.stop != nil {
		op.stop()
	}
	close(op.done)
}

// detach gives op, whose write may have landed, a context of its own,
// bounded by timeout: its outcome is learnt from a fresh read even if the
// caller gave up meanwhile, so that the caller can undo what landed.
func (op *poolOp) detach(timeout time.Duration) {
	if op.stop == nil {
		op.ctx, op.stop = context.WithTimeout(context.WithoutCancel(op.ctx), timeout)
	}
}

// opResult is the outcome of a poolOp.
type opResult struct {
	ip       netip.Addr // opAllocate
	reused   bool       // opAllocate: ip was already recorded for the pod
	released int        // opRelease
	pool     poolInfo
	err      error
}

// apply performs op on st in memory and reports whether the records
// changed, i.e. whether a status write is needed.
func (st *poolState) apply(op *poolOp, maxRecords int) bool {
	op.res = opResult{pool: st.info()}
	switch op.kind {
	case opAllocate:
		return st.allocate(op, maxRecords)
	case opRelease:
		return st.release(op)
	default:
		return st.adopt(op)
	}
}

func (st *poolState) allocate(op *poolOp, maxRecords int) bool {
	name := st.pool.Name
	if st.pool.DeletionTimestamp != nil {
		op.res.err = fmt.Errorf("%w: pool %s is terminating", ErrNoPool, name)
		return false
	}
	if st.specErr != nil {
		op.res.err = st.specErr
		return false
	}
	if a, ok := st.held(op.uid, op.avoid); ok {
		op.res.ip, op.res.reused = a, true
		return false
	}
	if len(st.records) >= maxRecords {
		op.res.err = fmt.Errorf("%w: pool %s holds %d records, the most SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS allows",
			ErrPoolExhausted, name, len(st.records))
		return false
	}
	a, err := st.firstFree(op.avoid)
	if err == nil {
		err = st.checkInSpec(a)
	}
	if err == nil {
		err = st.alloc.Allocate(a)
	}
	if err != nil {
		op.res.err = err
		return false
	}
	st.addRecord(a, spiderpoolv2beta1.PoolIPAllocation{NamespacedName: op.podKey, PodUID: op.uid})
	op.res.ip = a
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

func (st *poolState) release(op *poolOp) bool {
	for _, a := range op.ips {
		rec, ok := st.records[a.String()]
		if !ok || rec.PodUID != op.uid {
			continue
		}
		if err := st.removeRecord(a); err != nil {
			op.res.err = fmt.Errorf("pool %s: release %s: %w", st.pool.Name, a, err)
			break
		}
		op.res.released++
	}
	return op.res.released > 0
}

// adopt gives op.uid the records of op.ips. Each must be recorded for the
// same pod name, or be free (a record removed meanwhile is taken again).
func (st *poolState) adopt(op *poolOp) bool {
	for _, a := range op.ips {
		if rec, ok := st.records[a.String()]; ok && rec.NamespacedName != op.podKey {
			op.res.err = fmt.Errorf("%w: pool %s records %s for %s, not %s", ErrBadRecord, st.pool.Name, a,
				rec.NamespacedName, op.podKey)
			return false
		}
	}
	changed := false
	for _, a := range op.ips {
		rec, ok := st.records[a.String()]
		if ok && rec.PodUID == op.uid {
			continue
		}
		if ok {
			st.dropUID(rec.PodUID, a)
		} else if err := st.take(a); err != nil {
			op.res.err = fmt.Errorf("%w: pool %s cannot give %s back to %s: %w", ErrBadRecord, st.pool.Name, a, op.podKey, err)
			return changed
		}
		st.addRecord(a, spiderpoolv2beta1.PoolIPAllocation{NamespacedName: op.podKey, PodUID: op.uid})
		changed = true
	}
	return changed
}
