// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
)

// suspectTTL is how long a pod UID whose operation failed has its next
// allocations look for its claims on the API server: far longer than
// kubelet takes to retry an ADD.
const suspectTTL = 10 * time.Minute

// suspects are the pod UIDs whose allocation or release failed on this
// agent lately. A failed ADD may leave a claim of the UID behind (a create
// that landed though its answer was lost, a rollback that failed), and the
// agent's watch may not show it yet, for instance while the API server
// restarts. Without a look at the API server the retried ADD would take
// new addresses, and the claims left would stay with the live pod, listed
// by no endpoint, until it goes.
type suspects struct {
	mu   sync.Mutex
	uids map[string]time.Time
}

// add marks uid as of now, and forgets the marks past their time.
func (s *suspects) add(uid string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.uids == nil {
		s.uids = map[string]time.Time{}
	}
	for u, at := range s.uids {
		if now.Sub(at) > suspectTTL {
			delete(s.uids, u)
		}
	}
	s.uids[uid] = now
}

// has reports whether uid was marked within suspectTTL of now.
func (s *suspects) has(uid string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.uids[uid]
	return ok && now.Sub(at) <= suspectTTL
}

// Unsettled marks uid as one whose ADD failed keeping its claims (the
// endpoint's write had no answer), so that its next allocations look for
// them on the API server (internal/ipam calls it).
func (q *Queues) Unsettled(uid string) { q.suspects.add(uid, time.Now()) }

// leftover returns the lowest address of pool that the API server's claims
// give to op's pod (UID and name), not in op.Avoid: a claim an earlier,
// failed ADD of the pod left, for the retry to reuse.
func (q *Queues) leftover(ctx context.Context, pool string, op *poolq.Op) (netip.Addr, bool, error) {
	q.freshReads.Add(1)
	held, err := heldBy(ctx, q.deps.API, op.PodKey, op.UID)
	if err != nil {
		return netip.Addr{}, false, err
	}
	var best netip.Addr
	for _, a := range held[pool] {
		if !op.Avoid[a] && (!best.IsValid() || a.Less(best)) {
			best = a
		}
	}
	return best, best.IsValid(), nil
}
