// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolq

import (
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// newTestQueues returns queues restored from a fake client holding objs.
func newTestQueues(t *testing.T, objs ...client.Object) (*Queues, client.WithWatch) {
	t.Helper()
	c := ipamtest.NewClient(interceptor.Funcs{}, objs...)
	qs := New(Deps{
		Cache: c, API: c, Store: ipamtest.NewStore(c), MaxRecords: 100, WriteTimeout: time.Minute,
		Backoff: store.Backoff{Initial: time.Millisecond, Max: 4 * time.Millisecond, Factor: 2},
	})
	var pools spiderpoolv2beta1.SpiderIPPoolList
	if err := c.List(t.Context(), &pools); err != nil {
		t.Fatal(err)
	}
	qs.Restore(pools.Items, Reserved{})
	return qs, c
}

func (qs *Queues) has(name string) bool {
	qs.mu.Lock()
	defer qs.mu.Unlock()
	return qs.m[name] != nil
}

func release(t *testing.T, qs *Queues, pool string, ip netip.Addr) Result {
	t.Helper()
	return qs.Submit(pool, &Op{Ctx: t.Context(), Kind: Release, PodKey: "ns/x", UID: "uid-x", IPs: []netip.Addr{ip}})
}

// TestGonePoolQueueIsPruned (review #22): a pool deleted behind the agent's
// back is read as gone; a release from it says so (nothing to free), and
// its idle queue is removed.
func TestGonePoolQueueIsPruned(t *testing.T) {
	qs, c := newTestQueues(t, v4Pool("10.1.0.0/24", "10.1.0.10-10.1.0.20"))
	res := qs.Submit("p", &Op{Ctx: t.Context(), Kind: Allocate, PodKey: "ns/x", UID: "uid-x"})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if err := c.Delete(t.Context(), v4Pool("")); err != nil {
		t.Fatal(err)
	}
	if res := release(t, qs, "p", res.IP); !errors.Is(res.Err, ErrPoolNotFound) {
		t.Errorf("release from a gone pool: %v, want ErrPoolNotFound", res.Err)
	}
	if qs.has("p") {
		t.Error("the queue of the gone pool is kept")
	}
}

// TestRestorePrunesUnlistedQueues: a resynchronising Restore removes the
// idle queues of pools that no longer exist.
func TestRestorePrunesUnlistedQueues(t *testing.T) {
	qs, c := newTestQueues(t, v4Pool("10.1.0.0/24", "10.1.0.10-10.1.0.20"))
	qs.queue("ghost")
	var pools spiderpoolv2beta1.SpiderIPPoolList
	if err := c.List(t.Context(), &pools); err != nil {
		t.Fatal(err)
	}
	qs.Restore(pools.Items, Reserved{})
	if qs.has("ghost") || !qs.has("p") {
		t.Errorf("queues ghost %v, p %v; want false, true", qs.has("ghost"), qs.has("p"))
	}
}

// TestPruneSparesBusyQueue: a queue with pending work or a running
// goroutine stays; a submit to a removed queue goes to its successor.
func TestPruneSparesBusyQueue(t *testing.T) {
	qs, _ := newTestQueues(t)
	q := qs.queue("ghost")
	q.gone.Store(true)
	q.pending = []*Op{{}}
	qs.prune(q)
	q.pending, q.running = nil, true
	qs.prune(q)
	if !qs.has("ghost") {
		t.Fatal("a busy queue was removed")
	}
	q.running = false
	qs.prune(q)
	if qs.has("ghost") || !q.dead {
		t.Fatal("an idle queue of a gone pool was kept")
	}
	res := release(t, qs, "ghost", netip.MustParseAddr("10.0.0.1"))
	if !errors.Is(res.Err, ErrPoolNotFound) || q.running || len(q.pending) > 0 {
		t.Errorf("submit to a removed queue: %v, running %v, pending %d", res.Err, q.running, len(q.pending))
	}
}

// TestConcurrentSubmitsToGonePool: submits racing with pruning all get an
// answer.
func TestConcurrentSubmitsToGonePool(t *testing.T) {
	qs, _ := newTestQueues(t)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if res := release(t, qs, "ghost", netip.MustParseAddr("10.0.0.1")); !errors.Is(res.Err, ErrPoolNotFound) {
				t.Error(res.Err)
			}
		})
	}
	wg.Wait()
}

// TestRecorded answers from the queue's state, caught up with the cache,
// and says when it does not know.
func TestRecorded(t *testing.T) {
	qs, c := newTestQueues(t, v4Pool("10.1.0.0/24", "10.1.0.10-10.1.0.20"))
	if addrs, known := qs.Recorded("p", "uid-x"); !known || len(addrs) != 0 {
		t.Errorf("restored pool: %v, known %v; want nothing, known", addrs, known)
	}
	for range 2 {
		if res := qs.Submit("p", &Op{Ctx: t.Context(), Kind: Allocate, PodKey: "ns/x", UID: "uid-x",
			Avoid: map[netip.Addr]bool{netip.MustParseAddr("10.1.0.10"): true}}); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	// Another agent records an address for uid-y; the cache has it.
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := c.Get(t.Context(), client.ObjectKey{Name: "p"}, pool); err != nil {
		t.Fatal(err)
	}
	recs, _ := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
	recs["10.1.0.20"] = spiderpoolv2beta1.NewPoolIPAllocation("ns", "y", "uid-y")
	pool.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(recs)
	if err := c.Status().Update(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	got := map[string][]netip.Addr{}
	for _, uid := range []string{"uid-x", "uid-y"} {
		addrs, known := qs.Recorded("p", uid)
		if !known {
			t.Fatalf("%s: not known", uid)
		}
		got[uid] = addrs
	}
	want := map[string][]netip.Addr{
		"uid-x": {netip.MustParseAddr("10.1.0.11")}, // the second submit found the first's record
		"uid-y": {netip.MustParseAddr("10.1.0.20")},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("recorded (-want +got):\n%s", diff)
	}
	if _, known := qs.Recorded("other", "uid-x"); known {
		t.Error("a pool without queue is known")
	}
	qs.queue("p").running = true
	if _, known := qs.Recorded("p", "uid-x"); known {
		t.Error("a busy queue answered")
	}
	qs.queue("p").running = false
}
