// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"errors"
	"net/netip"
	"sync"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
)

// newTestService returns a restored service over a fake client holding objs.
func newTestService(t *testing.T, objs ...client.Object) (*Service, client.WithWatch, *ipamtest.Store) {
	t.Helper()
	c := ipamtest.NewClient(interceptor.Funcs{}, objs...)
	st := ipamtest.NewStore(c)
	svc, err := New(Config{EnableIPv4: true, NodeName: "n"}, Deps{Cache: c, API: c, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	return svc, c, st
}

func (s *Service) hasQueue(name string) bool {
	s.queuesMu.Lock()
	defer s.queuesMu.Unlock()
	return s.queues[name] != nil
}

// TestGonePoolQueueIsPruned (review #22): a pool deleted behind the agent's
// back is read as gone; releasing from it frees nothing and fails nothing,
// and its idle queue is removed.
func TestGonePoolQueueIsPruned(t *testing.T) {
	svc, c, _ := newTestService(t, v4Pool("10.1.0.0/24", "10.1.0.10-10.1.0.20"))
	res := svc.queue("p").submit(&poolOp{ctx: t.Context(), kind: opAllocate, podKey: "ns/x", uid: "uid-x"})
	if res.err != nil {
		t.Fatal(res.err)
	}
	if err := c.Delete(t.Context(), v4Pool("")); err != nil {
		t.Fatal(err)
	}
	if err := svc.releaseAddrs(t.Context(), "ns/x", "uid-x", map[string][]netip.Addr{"p": {res.ip}}); err != nil {
		t.Errorf("release from a gone pool: %v", err)
	}
	if svc.hasQueue("p") {
		t.Error("the queue of the gone pool is kept")
	}
}

// TestRestorePrunesUnlistedQueues: a resynchronising Restore removes the
// idle queues of pools that no longer exist.
func TestRestorePrunesUnlistedQueues(t *testing.T) {
	svc, _, _ := newTestService(t, v4Pool("10.1.0.0/24", "10.1.0.10-10.1.0.20"))
	svc.queue("ghost")
	if err := svc.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	if svc.hasQueue("ghost") || !svc.hasQueue("p") {
		t.Errorf("queues ghost %v, p %v; want false, true", svc.hasQueue("ghost"), svc.hasQueue("p"))
	}
}

// TestPruneSparesBusyQueue: a queue with pending work or a running
// goroutine stays; a submit to a removed queue goes to its successor.
func TestPruneSparesBusyQueue(t *testing.T) {
	svc, _, _ := newTestService(t)
	q := svc.queue("ghost")
	q.gone.Store(true)
	q.pending = []*poolOp{{}}
	svc.prune(q)
	q.pending, q.running = nil, true
	svc.prune(q)
	if !svc.hasQueue("ghost") {
		t.Fatal("a busy queue was removed")
	}
	q.running = false
	svc.prune(q)
	if svc.hasQueue("ghost") || !q.dead {
		t.Fatal("an idle queue of a gone pool was kept")
	}
	res := q.submit(&poolOp{ctx: t.Context(), kind: opRelease, podKey: "ns/x", uid: "u"})
	if !errors.Is(res.err, ErrPoolNotFound) || q.running || len(q.pending) > 0 {
		t.Errorf("submit to a removed queue: %v, running %v, pending %d", res.err, q.running, len(q.pending))
	}
}

// TestConcurrentSubmitsToGonePool: submits racing with pruning all get an
// answer.
func TestConcurrentSubmitsToGonePool(t *testing.T) {
	svc, _, _ := newTestService(t)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			err := svc.releaseAddrs(t.Context(), "ns/x", "u", map[string][]netip.Addr{"ghost": {netip.MustParseAddr("10.0.0.1")}})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
