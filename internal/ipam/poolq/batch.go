// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolq

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// dropDone completes the operations whose context is done with its error
// and returns the others.
func dropDone(pool string, batch []*Op) []*Op {
	live := batch[:0]
	for _, op := range batch {
		if err := op.Ctx.Err(); err != nil {
			op.res = Result{Err: fmt.Errorf("pool %s: %w", pool, err)}
			op.complete()
			continue
		}
		live = append(live, op)
	}
	return live
}

func failAll(batch []*Op, err error) {
	for _, op := range batch {
		op.res.Err = err
	}
}

func anyExhausted(batch []*Op) bool {
	for _, op := range batch {
		if errors.Is(op.res.Err, ErrPoolExhausted) {
			return true
		}
	}
	return false
}

func anyReused(batch []*Op) bool {
	for _, op := range batch {
		if op.res.Reused {
			return true
		}
	}
	return false
}

// anyContext returns a context that is done once the contexts of all ops
// are, and carries the values of the first.
func anyContext(ops []*Op) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ops[0].Ctx))
	var live atomic.Int64
	live.Store(int64(len(ops)))
	stops := make([]func() bool, 0, len(ops))
	for _, op := range ops {
		stops = append(stops, context.AfterFunc(op.Ctx, func() {
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
func firstHint(batch []*Op) *spiderpoolv2beta1.SpiderIPPool {
	for _, op := range batch {
		if op.Hint != nil {
			return op.Hint
		}
	}
	return nil
}
