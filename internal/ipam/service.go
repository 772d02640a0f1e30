// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// Service is the agent-side IPAM: it allocates and releases pod addresses
// from SpiderIPPools and records them in SpiderEndpoints. It is safe for
// concurrent use; see the package documentation for the design.
type Service struct {
	cfg        Config
	cache, api client.Reader
	store      store.Store
	clock      clock.Clock

	ready atomic.Bool

	queuesMu sync.Mutex
	queues   map[string]*poolQueue // by pool name

	pods       *podLocks
	quarantine *quarantine
	containers *containerIndex
	stats      counters
	observer   Observer

	// badReserved remembers the SpiderReservedIP versions already logged
	// as holding entries that do not parse ("name@resourceVersion").
	badReserved sync.Map
}

// New returns a service that is not ready until Restore succeeds.
func New(cfg Config, deps Deps) (*Service, error) {
	if err := deps.check(); err != nil {
		return nil, fmt.Errorf("new IPAM service: %w", err)
	}
	clk := deps.Clock
	if clk == nil {
		clk = clock.RealClock{}
	}
	cfg = cfg.withDefaults()
	obs := deps.Observer
	if obs == nil {
		obs = nopObserver{}
	}
	return &Service{
		observer:   obs,
		cfg:        cfg,
		cache:      deps.Cache,
		api:        deps.API,
		store:      deps.Store,
		clock:      clk,
		queues:     map[string]*poolQueue{},
		pods:       newPodLocks(),
		quarantine: newQuarantine(clk, cfg.ConflictQuarantine),
		containers: newContainerIndex(),
	}, nil
}

// Ready reports whether Restore has succeeded; before that every operation
// fails with ErrNotReady.
func (s *Service) Ready() bool { return s.ready.Load() }

// Restore loads every pool's allocations from the API server into the
// in-memory allocators and marks the service ready. A pool whose status
// cannot be parsed is left unloaded: allocations from it fail, with the
// reason, when it is tried. Restore may be called again to resynchronise.
func (s *Service) Restore(ctx context.Context) error {
	var pools spiderpoolv2beta1.SpiderIPPoolList
	if err := s.api.List(ctx, &pools); err != nil {
		return fmt.Errorf("restore IPAM: list SpiderIPPools: %w", err)
	}
	reserved, err := s.reservedIPs(ctx, s.api)
	if err != nil {
		return fmt.Errorf("restore IPAM: %w", err)
	}
	listed := make(map[string]bool, len(pools.Items))
	for i := range pools.Items {
		listed[pools.Items[i].Name] = true
		s.queue(pools.Items[i].Name).restore(&pools.Items[i], reserved)
	}
	s.pruneUnlisted(listed)
	s.ready.Store(true)
	return nil
}

// queue returns the serialising queue of pool name, creating it.
func (s *Service) queue(name string) *poolQueue {
	s.queuesMu.Lock()
	defer s.queuesMu.Unlock()
	q, ok := s.queues[name]
	if !ok {
		q = &poolQueue{name: name, svc: s}
		s.queues[name] = q
	}
	return q
}

// prune removes q if its pool is gone and it is idle: no goroutine runs
// and nothing is pending. A submit that obtained q before finds it dead and
// goes to the queue that replaces it.
func (s *Service) prune(q *poolQueue) {
	s.queuesMu.Lock()
	defer s.queuesMu.Unlock()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running || len(q.pending) > 0 || !q.gone.Load() || s.queues[q.name] != q {
		return
	}
	delete(s.queues, q.name)
	q.dead = true
}

// pruneUnlisted marks the queues of pools not in listed as gone and removes
// those that are idle.
func (s *Service) pruneUnlisted(listed map[string]bool) {
	s.queuesMu.Lock()
	var stale []*poolQueue
	for name, q := range s.queues {
		if !listed[name] {
			stale = append(stale, q)
		}
	}
	s.queuesMu.Unlock()
	for _, q := range stale {
		q.gone.Store(true)
		s.prune(q)
	}
}

func (s *Service) checkReady() error {
	if !s.Ready() {
		return ErrNotReady
	}
	return nil
}
