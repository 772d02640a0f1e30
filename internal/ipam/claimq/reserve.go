// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq

import (
	"net/netip"
	"sync"
	"time"
)

// reserveFor is how long this agent treats an address it claimed, lost to
// another agent or is claiming as taken, whatever its watch of the claims
// says: the watch lags the creates by a moment, and without this the
// allocations in flight on one agent, which start at the same offset,
// would all race for the same address.
const reserveFor = 10 * time.Second

// reservations are the addresses this agent treats as taken beyond its
// watch, per pool, each until a time.
type reservations struct {
	mu sync.Mutex
	m  map[string]map[netip.Addr]time.Time
}

// reserve marks a of pool as being claimed; false if it already is (or
// was just claimed or lost).
func (r *reservations) reserve(pool string, a netip.Addr, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if until, ok := r.m[pool][a]; ok && now.Before(until) {
		return false
	}
	r.set(pool, a, now.Add(reserveFor))
	return true
}

// drop forgets a of pool: its claim was released, or its create failed.
func (r *reservations) drop(pool string, a netip.Addr) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m[pool], a)
}

// taken lists the addresses of pool reserved at now, and forgets the
// expired ones.
func (r *reservations) taken(pool string, now time.Time) []netip.Addr {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]netip.Addr, 0, len(r.m[pool]))
	for a, until := range r.m[pool] {
		if now.Before(until) {
			out = append(out, a)
		} else {
			delete(r.m[pool], a)
		}
	}
	return out
}

func (r *reservations) set(pool string, a netip.Addr, until time.Time) {
	if r.m == nil {
		r.m = map[string]map[netip.Addr]time.Time{}
	}
	if r.m[pool] == nil {
		r.m[pool] = map[netip.Addr]time.Time{}
	}
	r.m[pool][a] = until
}
