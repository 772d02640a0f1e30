// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"context"
	"sync"
	"time"
)

// load is one phase's plugin calls: every pod once, C workers per node.
type load struct {
	binary  string
	command string
	nodes   []nodeConfig
	workers int
}

// call is a pod and the node it is bound to.
type call struct {
	pod  podRef
	node int
}

// run makes the calls, each node's through its own workers, and returns
// the outcomes in the order of calls and the wall time of the whole phase.
func (l load) run(ctx context.Context, calls []call) ([]outcome, time.Duration) {
	out := make([]outcome, len(calls))
	queues := make([]chan int, len(l.nodes))
	for n := range queues {
		queues[n] = make(chan int, len(calls))
	}
	for i, c := range calls {
		queues[c.node] <- i
	}
	var wg sync.WaitGroup
	start := time.Now()
	for n, q := range queues {
		close(q)
		for range l.workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range q {
					if ctx.Err() != nil {
						out[i] = outcome{Err: "not run: " + ctx.Err().Error()}
						continue
					}
					out[i] = callPlugin(ctx, l.binary, l.command, l.nodes[n], calls[i].pod)
				}
			}()
		}
	}
	wg.Wait()
	return out, time.Since(start)
}
