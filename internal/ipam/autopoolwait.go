// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrAutoPoolNotReady is returned when an application's auto-created pool
// did not appear at its desired size within the wait
// (SPIDERPOOL_WAIT_SUBNET_POOL_TIME_IN_SECOND ×
// SPIDERPOOL_WAIT_SUBNET_POOL_MAX_RETRIES). The message names the pool's
// application, interface and family and what was last seen.
var ErrAutoPoolNotReady = errors.New("auto-created pool not ready")

// poolEvents wakes the ADDs that wait for auto-created pools whenever the
// agent's pool cache changes: each change closes the channel the waiters
// hold and opens a new one. No polling: a waiter re-reads the cache only
// after a change.
type poolEvents struct {
	mu sync.Mutex
	ch chan struct{}
}

func newPoolEvents() *poolEvents { return &poolEvents{ch: make(chan struct{})} }

// next returns a channel closed at the next change.
func (e *poolEvents) next() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ch
}

func (e *poolEvents) notify() {
	e.mu.Lock()
	defer e.mu.Unlock()
	close(e.ch)
	e.ch = make(chan struct{})
}

// PoolsChanged tells the service that a SpiderIPPool of the cache was
// added, changed or deleted. The agent calls it from the pool informer's
// event handler; ADDs waiting for an auto-created pool look again.
func (s *Service) PoolsChanged() { s.poolEvents.notify() }

// autoPoolCheck looks for the pools an ADD waits for in the cache: it
// returns done when all are there, and otherwise what is still missing.
type autoPoolCheck func() (done bool, missing string, err error)

// waitAutoPools runs check now and after every pool change, until it is
// done, fails, ctx ends or the configured wait is over; then it returns
// the cached pools.
func (s *Service) waitAutoPools(ctx context.Context, check autoPoolCheck) (*poolSet, error) {
	timer := s.clock.NewTimer(s.cfg.AutoPoolWait)
	defer timer.Stop()
	for {
		changed := s.poolEvents.next() // before reading: no change is missed
		done, missing, err := check()
		if err != nil {
			return nil, err
		}
		if done {
			return s.listPools(ctx)
		}
		select {
		case <-changed:
		case <-timer.C():
			return nil, fmt.Errorf("%w after %s: %s; the spiderpool-controller creates and sizes it "+
				"(is it running, with enableSpiderSubnet and enableAutoPoolForApplication on, and has the "+
				"subnet free addresses?)", ErrAutoPoolNotReady, s.cfg.AutoPoolWait, missing)
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %s: %w", ErrAutoPoolNotReady, missing, context.Cause(ctx))
		}
	}
}
