// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/spiderpool-go/spiderpool/internal/ipam/claimq"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
)

// recorder is a poolq.Observer that keeps what it is told.
type recorder struct {
	mu        sync.Mutex
	waits     []time.Duration
	conflicts int
}

func (r *recorder) QueueWait(_ poolq.Kind, wait time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits = append(r.waits, wait)
}

func (r *recorder) Conflict(kinds []poolq.Kind) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(kinds) == 1 && kinds[0] == poolq.Allocate {
		r.conflicts++
	}
}

// TestObserverSeesEachOperationAndLostCreate: the agent's metrics of the
// pool queues (allocation_limit_duration_seconds,
// update_ippool_conflict_counts_total) go on counting with the claim
// storage: every operation reports a queue wait of zero, since it starts
// at once, and every create another agent won reports a conflict.
func TestObserverSeesEachOperationAndLostCreate(t *testing.T) {
	newPool(t, "observed", "10.89.0.0/24", []string{"10.89.0.10"}, nil)
	if res := submit(t, agent("n2", 0), "observed", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/w", UID: "uid-w"}); res.Err != nil {
		t.Fatal(res.Err)
	}
	r := &recorder{}
	q := claimq.New(claimq.Deps{Pools: latest{api}, Claims: noClaimsYet{api}, API: api, Writer: api, Node: "n1", Observer: r})
	if res := submit(t, q, "observed", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/l", UID: "uid-l"}); !errors.Is(res.Err, poolq.ErrPoolExhausted) {
		t.Fatalf("allocate = %+v; want ErrPoolExhausted after losing the one address", res)
	}
	_ = submit(t, q, "observed", poolq.Op{Kind: poolq.Release, PodKey: "ns/l", UID: "uid-l"})
	if len(r.waits) != 2 || r.waits[0] != 0 || r.waits[1] != 0 || r.conflicts != 1 {
		t.Errorf("observed waits %v and %d conflicts; want two waits of 0 and one conflict", r.waits, r.conflicts)
	}
}
