// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"net/netip"
	"sync"
	"time"

	"k8s.io/utils/clock"
)

// quarantine remembers, per pod UID, the addresses the pod found in conflict
// on the wire, so that its retried ADD gets other ones
// (docs/compatibility.md #6). It is node-local memory: the retry comes to
// the same agent.
type quarantine struct {
	clock clock.PassiveClock
	ttl   time.Duration

	mu    sync.Mutex
	byUID map[string]quarantined
}

type quarantined struct {
	ips     []netip.Addr
	expires time.Time
}

func newQuarantine(clk clock.PassiveClock, ttl time.Duration) *quarantine {
	return &quarantine{clock: clk, ttl: ttl, byUID: map[string]quarantined{}}
}

// add keeps ips from uid for the quarantine period.
func (q *quarantine) add(uid string, ips []netip.Addr) {
	if uid == "" || len(ips) == 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.prune()
	entry := q.byUID[uid]
	entry.ips = append(entry.ips, ips...)
	entry.expires = q.clock.Now().Add(q.ttl)
	q.byUID[uid] = entry
}

// of returns the addresses kept from uid.
func (q *quarantine) of(uid string) []netip.Addr {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.prune()
	return q.byUID[uid].ips
}

// forget drops the entry of uid, once its pod is released.
func (q *quarantine) forget(uid string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.byUID, uid)
}

func (q *quarantine) prune() {
	now := q.clock.Now()
	for uid, e := range q.byUID {
		if now.After(e.expires) {
			delete(q.byUID, uid)
		}
	}
}

// containerIndex maps the sandboxes this agent allocated for to their pod
// UID, so that GC can tell a sandbox the runtime still knows from a gone
// one. It is node-local memory and starts empty after a restart; GC then
// relies on the pods alone.
type containerIndex struct {
	mu    sync.Mutex
	byUID map[string]map[string]bool // pod UID -> container IDs
}

func newContainerIndex() *containerIndex {
	return &containerIndex{byUID: map[string]map[string]bool{}}
}

func (c *containerIndex) remember(uid, containerID string) {
	if uid == "" || containerID == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byUID[uid] == nil {
		c.byUID[uid] = map[string]bool{}
	}
	c.byUID[uid][containerID] = true
}

func (c *containerIndex) forget(uid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byUID, uid)
}

// anyValid reports whether a sandbox of uid is among valid.
func (c *containerIndex) anyValid(uid string, valid map[string]bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id := range c.byUID[uid] {
		if valid[id] {
			return true
		}
	}
	return false
}
