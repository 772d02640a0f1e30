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
// allocations in flight on one agent could race each other for an address
// (a drawn one, or the same free address a nearly full pool's scan finds).
const reserveFor = 10 * time.Second

// reservations are the addresses this agent treats as taken beyond its
// watch, per pool, each until a time.
type reservations struct {
	mu sync.Mutex
	m  map[string]map[netip.Addr]time.Time
	// swept is when each pool's expired reservations were last forgotten.
	swept map[string]time.Time
}

// reserve marks a of pool as being claimed; false if it already is (or
// was just claimed or lost).
func (r *reservations) reserve(pool string, a netip.Addr, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if until, ok := r.m[pool][a]; ok && now.Before(until) {
		return false
	}
	r.expire(pool, now)
	r.set(pool, a, now.Add(reserveFor))
	return true
}

// drop forgets a of pool: its claim was released, or its create failed.
func (r *reservations) drop(pool string, a netip.Addr) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m[pool], a)
}

// holds reports whether a of pool is reserved at now.
func (r *reservations) holds(pool string, a netip.Addr, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	until, ok := r.m[pool][a]
	return ok && now.Before(until)
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

// expire forgets the reservations of pool that ended before now, at most
// once per reserveFor, so that the map holds what the last reserveFor
// reserved.
func (r *reservations) expire(pool string, now time.Time) {
	if now.Before(r.swept[pool].Add(reserveFor)) {
		return
	}
	if r.swept == nil {
		r.swept = map[string]time.Time{}
	}
	r.swept[pool] = now
	for a, until := range r.m[pool] {
		if !now.Before(until) {
			delete(r.m[pool], a)
		}
	}
}
