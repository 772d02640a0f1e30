// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"sync"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/spiderpool-go/spiderpool/internal/store"
	"github.com/spiderpool-go/spiderpool/internal/store/kube"
)

// collector judges incarnations and releases the dead ones. It is shared by
// the reconciler and the full scan, and safe for concurrent use: every
// write is conditional, so two releases of one incarnation are harmless.
type collector struct {
	opts Options
	// cache is read first, to skip the living cheaply.
	cache client.Reader
	// api reads the API server: every release is decided again on it.
	api client.Reader
	// store writes pool status and endpoint finalizers.
	store store.Store
	// writer deletes SpiderIPClaims (Options.ClaimStorage).
	writer  client.Writer
	metrics *counters
	// records parses each version of a cached pool once.
	records *recordMemo

	// goneSince remembers when an incarnation was first seen dead, for
	// SPIDERPOOL_GC_ADDITIONAL_GRACE_DELAY.
	goneSince timeMemo
}

func newCollector(opts Options, c client.Client, api client.Reader, m *counters) *collector {
	return &collector{opts: opts, cache: c, api: api, store: kube.New(c), writer: c, metrics: m, records: newRecordMemo()}
}

// collect releases the incarnation if it is dead: judged first on the
// cache, then again on fresh reads from the API server right before the
// release. found are records a scan saw for it. It returns when the
// decision may change (0: on the next event).
func (c *collector) collect(ctx context.Context, inc incarnation, found []poolAddr) (time.Duration, error) {
	f, err := c.observe(ctx, c.cache, inc)
	if err != nil {
		return 0, err
	}
	if v := c.judge(f, inc, false); !v.release {
		return v.wait, nil
	}
	if f, err = c.observe(ctx, c.api, inc); err != nil {
		return 0, err
	}
	v := c.judge(f, inc, true)
	if !v.release {
		return v.wait, nil
	}
	log.FromContext(ctx).V(1).Info("releasing pod incarnation", "pod", inc.key(), "uid", inc.UID, "reason", v.reason)
	if err := c.release(ctx, inc, f, found); err != nil {
		c.metrics.failures.Inc()
		return 0, err
	}
	c.goneSince.forget(inc.UID)
	return 0, nil
}

// judge is decide, with the additional grace delay applied to pods that
// are gone: it counts from when a fresh read first showed them gone (a
// lagging cache could show a pod gone too early).
func (c *collector) judge(f *facts, inc incarnation, fresh bool) verdict {
	now := c.opts.Clock.Now()
	v := c.opts.decide(f, inc.UID, now)
	delay := c.opts.GC.AdditionalGraceDelay
	if !fresh || delay <= 0 {
		return v
	}
	if !v.gone {
		c.goneSince.forget(inc.UID)
		return v
	}
	// Entries of incarnations released by someone else are never
	// forgotten explicitly; they expire well after the delay.
	ttl := 2*delay + c.opts.GC.DefaultInterval
	if left := c.goneSince.first(inc.UID, now, ttl).Add(delay).Sub(now); left > 0 {
		return waitFor(left)
	}
	return v
}

// timeMemo maps a pod UID to the first time it was seen.
type timeMemo struct {
	mu sync.Mutex
	m  map[string]time.Time
}

// first returns when uid was first seen, recording now if never, and
// drops the entries older than ttl. An entry dropped too early only makes
// a wait start again.
func (t *timeMemo) first(uid string, now time.Time, ttl time.Duration) time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]time.Time{}
	}
	for k, seen := range t.m {
		if now.Sub(seen) > ttl {
			delete(t.m, k)
		}
	}
	seen, ok := t.m[uid]
	if !ok {
		t.m[uid], seen = now, now
	}
	return seen
}

func (t *timeMemo) forget(uid string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, uid)
}
