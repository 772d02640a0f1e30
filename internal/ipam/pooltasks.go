// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"net/netip"
	"sync"
)

// releaseAddrs frees, in each pool, the listed addresses that are recorded
// for uid. The pools are written in parallel, one write each. A pool that
// is gone has nothing left to free.
func (s *Service) releaseAddrs(ctx context.Context, podKey, uid string, byPool map[string][]netip.Addr) error {
	err := s.perPool(ctx, opRelease, podKey, uid, byPool, func(r opResult) {
		s.stats.releasedIPs.Add(uint64(r.released))
	})
	return err
}

// adoptAddrs rewrites the records of the listed addresses to uid.
func (s *Service) adoptAddrs(ctx context.Context, podKey, uid string, byPool map[string][]netip.Addr) error {
	return s.perPool(ctx, opAdopt, podKey, uid, byPool, nil)
}

func (s *Service) perPool(ctx context.Context, kind opKind, podKey, uid string, byPool map[string][]netip.Addr,
	done func(opResult),
) error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for pool, ips := range byPool {
		wg.Go(func() {
			res := s.queue(pool).submit(&poolOp{ctx: ctx, kind: kind, podKey: podKey, uid: uid, ips: ips})
			if kind == opRelease && errors.Is(res.err, ErrPoolNotFound) {
				res.err = nil
			}
			mu.Lock()
			defer mu.Unlock()
			if res.err != nil {
				errs = append(errs, res.err)
			} else if done != nil {
				done(res)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
