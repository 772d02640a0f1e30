// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// keepRelease queues a release the IPAM service could not complete (the API
// server unreachable, say) so the drain loop retries it: a release is never
// lost (docs/compatibility.md #7). The plugin's DEL then succeeds, as it
// would with the agent down.
func (a *agent) keepRelease(req agentapi.DelRequest, cause error) error {
	if err := a.queue.Enqueue(req); err != nil {
		return fmt.Errorf("release failed (%w) and could not be queued: %w", cause, err)
	}
	return nil
}

// drainLoop retries queued releases, the plugin's (agent down at DEL) and
// the agent's own, until ctx ends.
func (a *agent) drainLoop(ctx context.Context) {
	every := a.opts.DrainInterval
	if every <= 0 {
		every = 5 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		a.drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (a *agent) drain(ctx context.Context) {
	log := logr.FromContextOrDiscard(ctx)
	err := a.queue.Drain(func(req agentapi.DelRequest) error {
		err := a.svc.Release(ctx, releaseRequest(&req))
		if err != nil {
			log.Info("queued release failed; will retry", "pod", req.PodNamespace+"/"+req.PodName, "ifName", req.IfName, "error", err.Error())
		}
		return err
	})
	if err != nil {
		log.Error(err, "drain release queue")
	}
}
