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
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// Service is the agent-side IPAM: it allocates and releases pod addresses
// from SpiderIPPools and records them in SpiderEndpoints. It is safe for
// concurrent use; see the package documentation for the design.
type Service struct {
	cfg        Config
	cache, api client.Reader
	pools      PoolReader
	store      store.Store
	clock      clock.Clock
	autoPools  AutoPoolEnsurer

	// poolEvents wakes the ADDs waiting for auto-created pools.
	poolEvents *poolEvents

	ready atomic.Bool

	// queues perform the pool operations: by default they serialise and
	// batch the status writes of each pool.
	queues PoolOps

	pods       *podLocks
	quarantine *quarantine
	containers *containerIndex
	stats      counters

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
	pools := deps.Pools
	if pools == nil {
		pools = cachePools{deps.Cache}
	}
	obs := deps.Observer
	if obs == nil {
		obs = nopObserver{}
	}
	if deps.PoolOps == nil {
		deps.PoolOps = poolq.New(poolq.Deps{
			Cache: latestReader{pools}, API: deps.API, Store: deps.Store, Clock: clk, MaxRecords: cfg.MaxAllocatedIPs,
			WriteTimeout: cfg.WriteTimeout, Backoff: cfg.Backoff, Observer: queueObserver{obs},
		})
	}
	return &Service{
		cfg:        cfg,
		cache:      deps.Cache,
		pools:      pools,
		api:        deps.API,
		store:      deps.Store,
		clock:      clk,
		autoPools:  deps.AutoPools,
		poolEvents: newPoolEvents(),
		queues:     deps.PoolOps,
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
	s.queues.Restore(pools.Items, reserved)
	s.ready.Store(true)
	return nil
}

func (s *Service) checkReady() error {
	if !s.Ready() {
		return ErrNotReady
	}
	return nil
}
