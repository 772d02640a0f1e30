// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"net/netip"
	"sync"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
)

// releaseAddrs frees, in each pool, the listed addresses that are recorded
// for uid. The pools are written in parallel, one write each. A pool that
// is gone has nothing left to free.
func (s *Service) releaseAddrs(ctx context.Context, podKey, uid string, byPool map[string][]netip.Addr) error {
	err := s.perPool(ctx, poolq.Release, podKey, uid, byPool, func(r poolq.Result) {
		s.stats.releasedIPs.Add(uint64(r.Released))
	})
	return err
}

// adoptAddrs rewrites the records of the listed addresses to uid.
func (s *Service) adoptAddrs(ctx context.Context, podKey, uid string, byPool map[string][]netip.Addr) error {
	return s.perPool(ctx, poolq.Adopt, podKey, uid, byPool, nil)
}

func (s *Service) perPool(ctx context.Context, kind poolq.Kind, podKey, uid string, byPool map[string][]netip.Addr,
	done func(poolq.Result),
) error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for pool, ips := range byPool {
		wg.Go(func() {
			res := s.queues.Submit(pool, &poolq.Op{Ctx: ctx, Kind: kind, PodKey: podKey, UID: uid, IPs: ips})
			if kind == poolq.Release && errors.Is(res.Err, ErrPoolNotFound) {
				res.Err = nil
			}
			mu.Lock()
			defer mu.Unlock()
			if res.Err != nil {
				errs = append(errs, res.Err)
			} else if done != nil {
				done(res)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// poolInfo describes the pool an address came from.
type poolInfo struct {
	name    string
	subnet  netip.Prefix
	gateway netip.Addr
	routes  []spiderpoolv2beta1.Route
}

// newPoolInfo is what a result needs of the queue's description of a pool.
func newPoolInfo(i poolq.Info) poolInfo {
	return poolInfo{name: i.Name, subnet: i.Subnet, gateway: i.Gateway, routes: i.Routes}
}

// parseOptionalAddr parses an optional address; nil or "" is the zero Addr.
func parseOptionalAddr(s *string) (netip.Addr, error) {
	if s == nil || *s == "" {
		return netip.Addr{}, nil
	}
	return netip.ParseAddr(*s)
}
