// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
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
		every = firstPause
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		a.drainer.drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Bounds of the retries of a queued release that fails permanently.
const (
	// giveUpAfter: such a release is given up once queued this long; the
	// controller's IP GC frees its addresses.
	giveUpAfter = 24 * time.Hour
	// firstPause and maxPause bound the pause between its retries, which
	// doubles after each failure.
	firstPause = 5 * time.Second
	maxPause   = 5 * time.Minute
)

// queueRecorder counts what a drain set aside or gave up;
// *metrics.ReleaseQueue.
type queueRecorder interface {
	CountCorrupt()
	CountGivenUp()
}

// queueDrainer retries the releases of the on-disk queue. A transient
// failure (the API server unreachable, the agent not ready) is retried at
// every drain, however old; a permanent one is retried with growing pauses
// and given up after giveUpAfter.
type queueDrainer struct {
	queue   *agentapi.ReleaseQueue
	release func(context.Context, ipam.ReleaseRequest) error
	metrics queueRecorder
	now     func() time.Time
	// pauses holds, by entry, the pause of a permanently failing release;
	// only the drain loop uses it.
	pauses map[string]pause
}

type pause struct {
	length time.Duration
	until  time.Time
}

func newQueueDrainer(q *agentapi.ReleaseQueue, release func(context.Context, ipam.ReleaseRequest) error, m queueRecorder) *queueDrainer {
	return &queueDrainer{queue: q, release: release, metrics: m, now: time.Now, pauses: map[string]pause{}}
}

// drain retries every queued release once and logs what happened.
func (d *queueDrainer) drain(ctx context.Context) {
	rep, err := d.queue.Drain(func(e agentapi.QueuedRelease) error { return d.retry(ctx, e) })
	d.report(logr.FromContextOrDiscard(ctx), rep, err)
}

// errPaused keeps an entry whose pause has not run out; it is not logged.
var errPaused = errors.New("paused after a permanent failure")

func (d *queueDrainer) retry(ctx context.Context, e agentapi.QueuedRelease) error {
	key := e.ContainerID + "\x00" + e.IfName
	now := d.now()
	if now.Before(d.pauses[key].until) {
		return errPaused
	}
	err := d.release(ctx, releaseRequest(&e.DelRequest))
	switch {
	case err == nil || !permanent(err):
		delete(d.pauses, key)
		return err
	case now.Sub(e.Queued) >= giveUpAfter:
		delete(d.pauses, key)
		return fmt.Errorf("%w, queued for %s: %w", agentapi.ErrGiveUp, now.Sub(e.Queued).Round(time.Minute), err)
	}
	p := d.pauses[key]
	p.length = min(max(2*p.length, firstPause), maxPause)
	p.until = now.Add(p.length)
	d.pauses[key] = p
	return err
}

// report logs each outcome of a drain once and counts the corrupt and
// given-up entries.
func (d *queueDrainer) report(log logr.Logger, rep agentapi.DrainReport, err error) {
	if err != nil {
		log.Error(err, "drain the release queue")
	}
	for _, f := range rep.Failed {
		if !errors.Is(f.Err, errPaused) {
			log.Info("queued release failed; will retry", append(releaseKeys(f.Release), "error", f.Err.Error())...)
		}
	}
	for _, f := range rep.GivenUp {
		d.metrics.CountGivenUp()
		log.Error(f.Err, "gave up a queued release; the controller's IP GC frees its addresses", releaseKeys(f.Release)...)
	}
	for _, c := range rep.Corrupt {
		d.metrics.CountCorrupt()
		log.Error(c.Err, "set aside a corrupt release queue entry; its release is left to the controller's IP GC", "file", c.File)
	}
}

func releaseKeys(e agentapi.QueuedRelease) []any {
	return []any{"pod", e.PodNamespace + "/" + e.PodName, "podUID", e.PodUID, "containerID", e.ContainerID,
		"ifName", e.IfName, "queued", e.Queued}
}

// permanent tells the release failures that no retry fixes until someone
// changes the cluster: a pool or endpoint record that cannot be parsed, a
// pod bound to another node, a request the API server rejects as malformed
// or forbidden.
func permanent(err error) bool {
	return errors.Is(err, ipam.ErrBadRecord) || errors.Is(err, ipam.ErrWrongNode) ||
		apierrors.IsBadRequest(err) || apierrors.IsInvalid(err) || apierrors.IsForbidden(err) ||
		apierrors.IsMethodNotSupported(err)
}
