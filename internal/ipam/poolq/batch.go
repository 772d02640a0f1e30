// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// dropDone completes the operations whose context is done with its error
// and returns the others.
func dropDone(pool string, batch []*poolOp) []*poolOp {
	live := batch[:0]
	for _, op := range batch {
		if err := op.ctx.Err(); err != nil {
			op.res = opResult{err: fmt.Errorf("pool %s: %w", pool, err)}
			op.complete()
			continue
		}
		live = append(live, op)
	}
	return live
}

func failAll(batch []*poolOp, err error) {
	for _, op := range batch {
		op.res.err = err
	}
}

func anyExhausted(batch []*poolOp) bool {
	for _, op := range batch {
		if errors.Is(op.res.err, ErrPoolExhausted) {
			return true
		}
	}
	return false
}

func anyReused(batch []*poolOp) bool {
	for _, op := range batch {
		if op.res.reused {
			return true
		}
	}
	return false
}

// anyContext returns a context that is done once the contexts of all ops
// are, and carries the values of the first.
func anyContext(ops []*poolOp) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ops[0].ctx))
	var live atomic.Int64
	live.Store(int64(len(ops)))
	stops := make([]func() bool, 0, len(ops))
	for _, op := range ops {
		stops = append(stops, context.AfterFunc(op.ctx, func() {
			if live.Add(-1) == 0 {
				cancel()
			}
		}))
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}

// firstHint returns the first cached pool object carried by the batch.
func firstHint(batch []*poolOp) *spiderpoolv2beta1.SpiderIPPool {
	for _, op := range batch {
		if op.hint != nil {
			return op.hint
		}
	}
	return nil
}
