// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// scanner is path C: the periodic full scan of every pool record and every
// endpoint. It runs on the elected leader only (docs/compatibility.md #9): once
// when it starts, then every SPIDERPOOL_GC_DEFAULT_INTERVAL_DURATION.
type scanner struct {
	c        *collector
	interval time.Duration
	clock    clock.WithTicker
	log      logr.Logger
	// synced waits for the manager's cache.
	synced func(ctx context.Context) bool
}

var (
	_ manager.Runnable               = (*scanner)(nil)
	_ manager.LeaderElectionRunnable = (*scanner)(nil)
)

// NeedLeaderElection makes the scan leader-only.
func (s *scanner) NeedLeaderElection() bool { return true }

// Start scans once the cache has synced, then on every tick until ctx
// ends. A failed scan is logged and retried on the next tick.
func (s *scanner) Start(ctx context.Context) error {
	ctx = logr.NewContext(ctx, s.log)
	if !s.synced(ctx) {
		return nil // stopped before the cache synced
	}
	t := s.clock.NewTicker(s.interval)
	defer t.Stop()
	for {
		if err := s.c.scan(ctx); err != nil && ctx.Err() == nil {
			s.log.Error(err, "IP GC full scan")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C():
		}
	}
}

// scan collects every incarnation that a pool record or an endpoint
// names. Each is judged on the cache and, if it looks dead, again on fresh
// reads; errors are joined so that one bad pool does not stop the scan.
func (c *collector) scan(ctx context.Context) error {
	holdings, err := c.inventory(ctx)
	errs := []error{err}
	for _, h := range holdings {
		if ctx.Err() != nil {
			break
		}
		if _, err := c.collect(ctx, h.inc, h.found); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", h.inc, err))
		}
	}
	return errors.Join(errs...)
}

// inventory lists, from the cache, every incarnation a pool record, a
// SpiderIPClaim (with the claim storage) or an endpoint names, with the
// addresses held for it, by pod name. Within
// a name the endpoint's incarnation comes last, as in the reconciler, so
// that the addresses it lists but no longer holds are freed before it is
// judged.
func (c *collector) inventory(ctx context.Context) ([]holding, error) {
	recs, err := c.holdingInventory(ctx)
	if recs == nil {
		return nil, err
	}
	owners, epErr := c.endpointInventory(ctx)
	for inc := range owners {
		if _, ok := recs[inc]; !ok {
			recs[inc] = nil
		}
	}
	order := func(a, b incarnation) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name),
			compareBool(owners[a], owners[b]), cmp.Compare(a.UID, b.UID))
	}
	out := make([]holding, 0, len(recs))
	for _, inc := range slices.SortedFunc(maps.Keys(recs), order) {
		out = append(out, holding{inc: inc, found: recs[inc]})
	}
	return out, errors.Join(err, epErr)
}

// recordInventory lists every incarnation the cached pools record, with
// its records. Records without a pod UID or namespace are left alone:
// nothing can prove them dead. It is nil only when the pools cannot be
// listed.
func (c *collector) recordInventory(ctx context.Context) (map[incarnation][]poolAddr, error) {
	var pools spiderpoolv2beta1.SpiderIPPoolList
	if err := c.cache.List(ctx, &pools); err != nil {
		return nil, fmt.Errorf("list SpiderIPPools: %w", err)
	}
	incs := map[incarnation][]poolAddr{}
	var errs []error
	for i := range pools.Items {
		recs, err := c.records.of(&pools.Items[i])
		if err != nil {
			errs = append(errs, fmt.Errorf("SpiderIPPool %s: %w", pools.Items[i].Name, err))
			continue
		}
		for ip, rec := range recs {
			inc := incarnation{Namespace: rec.Namespace(), Name: rec.Name(), UID: rec.PodUID}
			if inc.UID != "" && inc.Namespace != "" {
				incs[inc] = append(incs[inc], poolAddr{pool: pools.Items[i].Name, ip: canonicalIP(ip)})
			}
		}
	}
	return incs, errors.Join(errs...)
}

// endpointInventory lists the incarnations the cached endpoints record.
func (c *collector) endpointInventory(ctx context.Context) (map[incarnation]bool, error) {
	var eps spiderpoolv2beta1.SpiderEndpointList
	if err := c.cache.List(ctx, &eps); err != nil {
		return nil, fmt.Errorf("list SpiderEndpoints: %w", err)
	}
	owners := map[incarnation]bool{}
	for i := range eps.Items {
		inc := incarnation{Namespace: eps.Items[i].Namespace, Name: eps.Items[i].Name, UID: eps.Items[i].Status.Current.UID}
		if inc.UID != "" {
			owners[inc] = true
		}
	}
	return owners, nil
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
