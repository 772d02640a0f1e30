// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
)

// slot is one address to allocate: an interface and a family, with its
// candidate pools in the order to try.
type slot struct {
	nic     string
	version int64
	pools   []*spiderpoolv2beta1.SpiderIPPool
}

// slots filters and orders the candidates of each missing interface and
// family. Nothing is written: errors here leave everything untouched.
func (a *allocation) slots(missing []*nicPlan) ([]slot, error) {
	var out []slot
	for _, plan := range missing {
		n := 0
		for _, v := range []int64{spiderpoolv2beta1.IPv4, spiderpoolv2beta1.IPv6} {
			names := plan.names(v)
			if len(names) == 0 {
				if len(plan.patterns(v)) > 0 && a.svc.familyEnabled(v) {
					return nil, fmt.Errorf("%w: the IPv%d pools %q of interface %s match no pool",
						ErrNoPool, v, plan.patterns(v), plan.nic)
				}
				continue
			}
			pools, err := a.pc.candidates(plan.nic, v, names, a.pools)
			if err != nil {
				return nil, err
			}
			out = append(out, slot{nic: plan.nic, version: v, pools: pools})
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("%w: %s (from %s) has no pool of an enabled IP family", ErrNoPool, plan.describe(),
				a.sel.source)
		}
	}
	return out, nil
}

func (s *Service) familyEnabled(v int64) bool {
	if v == spiderpoolv2beta1.IPv4 {
		return s.cfg.EnableIPv4
	}
	return s.cfg.EnableIPv6
}

// allocateSlots allocates every slot and returns the addresses taken, also
// on failure (for rollback). Slots that share a candidate pool run one after
// the other, so that none takes the address another one holds; the others
// run in parallel.
func (a *allocation) allocateSlots(ctx context.Context, slots []slot, keep []spiderpoolv2beta1.IPAllocationDetail) ([]slotResult, error) {
	avoid := map[netip.Addr]bool{}
	for _, ip := range a.svc.quarantine.of(a.uid) {
		avoid[ip] = true
	}
	for _, addrs := range addrsByPool(keep) {
		for _, ip := range addrs {
			avoid[ip] = true
		}
	}
	groups := groupSlots(slots)
	results := make([]*slotResult, len(slots))
	errs := make([]error, len(groups))
	var wg sync.WaitGroup
	for gi, group := range groups {
		wg.Go(func() {
			taken := map[netip.Addr]bool{}
			for _, i := range group {
				r, err := a.allocateSlot(ctx, &slots[i], avoid, taken)
				if err != nil {
					errs[gi] = err
					return
				}
				results[i], taken[r.ip] = &r, true
			}
		})
	}
	wg.Wait()
	var out []slotResult
	for _, r := range results {
		if r != nil {
			out = append(out, *r)
		}
	}
	return out, errors.Join(errs...)
}

// allocateSlot tries the slot's pools in order; a pool that fails (full,
// terminating, unreadable) passes to the next one: the alternate pool.
func (a *allocation) allocateSlot(ctx context.Context, sl *slot, avoid, taken map[netip.Addr]bool) (slotResult, error) {
	opAvoid := make(map[netip.Addr]bool, len(avoid)+len(taken))
	for _, m := range []map[netip.Addr]bool{avoid, taken} {
		for ip := range m {
			opAvoid[ip] = true
		}
	}
	var errs []error
	for _, p := range sl.pools {
		res := a.svc.queues.Submit(p.Name, &poolq.Op{
			Ctx: ctx, Kind: poolq.Allocate, PodKey: a.podKey, UID: a.uid, Avoid: opAvoid, Hint: p, Reserved: a.reserved,
		})
		if res.Err == nil {
			return slotResult{nic: sl.nic, version: sl.version, ip: res.IP, info: newPoolInfo(res.Pool), reused: res.Reused}, nil
		}
		errs = append(errs, res.Err)
		if ctx.Err() != nil {
			break
		}
	}
	return slotResult{}, fmt.Errorf("allocate IPv%d for interface %s of pod %s: %w", sl.version, sl.nic, a.podKey,
		errors.Join(errs...))
}

// groupSlots partitions slot indexes into groups whose candidate pools are
// disjoint, keeping slot order inside each group.
func groupSlots(slots []slot) [][]int {
	group := make([]int, len(slots))
	for i := range slots {
		group[i] = i
		for j := range i {
			if sharePool(&slots[i], &slots[j]) {
				old := group[i]
				for k := range i + 1 {
					if group[k] == old {
						group[k] = group[j]
					}
				}
			}
		}
	}
	var out [][]int
	index := map[int]int{}
	for i, g := range group {
		at, ok := index[g]
		if !ok {
			at = len(out)
			index[g] = at
			out = append(out, nil)
		}
		out[at] = append(out[at], i)
	}
	return out
}

func sharePool(x, y *slot) bool {
	return slices.ContainsFunc(x.pools, func(p *spiderpoolv2beta1.SpiderIPPool) bool {
		return slices.ContainsFunc(y.pools, func(q *spiderpoolv2beta1.SpiderIPPool) bool { return p.Name == q.Name })
	})
}

// rollback releases what this attempt allocated; it runs even when ctx is
// done. Addresses the pools already recorded for the pod UID (reused) are
// left: an earlier attempt's endpoint may list them (its write answered
// 500 but landed, and this attempt's cache had not seen it yet: chaos seed
// 1011), and freed they would go to another pod while it does. Nothing
// leaks: the pod's next ADD reuses them, its DEL or the GC frees them.
func (a *allocation) rollback(ctx context.Context, results []slotResult) error {
	byPool := map[string][]netip.Addr{}
	for _, r := range results {
		if !r.reused {
			byPool[r.info.name] = append(byPool[r.info.name], r.ip)
		}
	}
	if len(byPool) == 0 {
		return nil
	}
	rctx, cancel := a.svc.writeContext(ctx)
	defer cancel()
	if err := a.svc.releaseAddrs(rctx, a.podKey, a.uid, byPool); err != nil {
		return fmt.Errorf("roll back addresses of pod %s: %w", a.podKey, err)
	}
	return nil
}
