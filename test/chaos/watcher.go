// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Watcher follows pods, SpiderEndpoints and pools through an informer
// cache, counts allocations and releases from the pools' record changes,
// and samples the cache every second for addresses held twice; a
// suspect is confirmed on fresh reads before it counts (Findings).
type Watcher struct {
	cache  cache.Cache
	direct client.Client
	ns     string
	faults *Injector
	// claims says who holds an address is read from the SpiderIPClaims
	// (Config.ClaimStorage), not from the pools' records.
	claims bool

	mu          sync.Mutex
	allocs      int
	releases    int
	samples     int
	suspects    int
	findings    []string
	seen        map[string]bool
	orphanSince map[record]time.Time
	worstOrphan time.Duration
	// worstOrphanNote says which record lived longest orphaned, when, and
	// the faults started from a minute before it was orphaned.
	worstOrphanNote string
	worstFault      time.Duration
	// worstRetained is the longest a StatefulSet pod's record outlived it.
	worstRetained time.Duration
}

type record struct{ ip, holder, uid string }

// NewWatcher starts a cache on cfg's cluster; direct is an uncached client
// for confirmations.
func NewWatcher(ctx context.Context, c cache.Cache, direct client.Client, ns string, faults *Injector) (*Watcher, error) {
	w := &Watcher{cache: c, direct: direct, ns: ns, faults: faults, seen: map[string]bool{}, orphanSince: map[record]time.Time{}}
	inf, err := c.GetInformer(ctx, &spiderpoolv2beta1.SpiderIPPool{})
	if err != nil {
		return nil, fmt.Errorf("chaos watcher: pool informer: %w", err)
	}
	if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{UpdateFunc: w.poolChanged}); err != nil {
		return nil, fmt.Errorf("chaos watcher: pool handler: %w", err)
	}
	for _, o := range []client.Object{&corev1.Pod{}, &spiderpoolv2beta1.SpiderEndpoint{}} {
		if _, err := c.GetInformer(ctx, o); err != nil {
			return nil, fmt.Errorf("chaos watcher: informer of %T: %w", o, err)
		}
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		return nil, fmt.Errorf("chaos watcher: cache did not sync")
	}
	return w, nil
}

func (w *Watcher) poolChanged(oldObj, newObj any) {
	o, ok1 := oldObj.(*spiderpoolv2beta1.SpiderIPPool)
	n, ok2 := newObj.(*spiderpoolv2beta1.SpiderIPPool)
	if !ok1 || !ok2 {
		return
	}
	before, err1 := spiderpoolv2beta1.ParseAllocatedIPs(o.Status.AllocatedIPs)
	after, err2 := spiderpoolv2beta1.ParseAllocatedIPs(n.Status.AllocatedIPs)
	if err1 != nil || err2 != nil {
		w.finding(fmt.Sprintf("pool %s: unparsable allocatedIPs: %v %v", n.Name, err1, err2))
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for ip, r := range after {
		if b, ok := before[ip]; !ok || b.PodUID != r.PodUID {
			w.allocs++
		}
	}
	for ip, r := range before {
		if a, ok := after[ip]; !ok || a.PodUID != r.PodUID {
			w.releases++
		}
	}
}

// Run samples every second until ctx ends.
func (w *Watcher) Run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.Sample(ctx)
		}
	}
}

func (w *Watcher) finding(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.seen[s] {
		w.seen[s] = true
		w.findings = append(w.findings, time.Now().UTC().Format(time.TimeOnly)+" "+s)
	}
}

// Stats is what the watcher counted.
type Stats struct {
	Allocations, Releases, Samples, Suspects int
	Findings                                 []string
	WorstOrphanLife, WorstFaultToFree        time.Duration
	WorstOrphan                              string
	WorstStatefulSetRetained                 time.Duration
}

// Stats returns the counts so far.
func (w *Watcher) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return Stats{Allocations: w.allocs, Releases: w.releases, Samples: w.samples, Suspects: w.suspects,
		Findings: append([]string(nil), w.findings...), WorstOrphanLife: w.worstOrphan, WorstFaultToFree: w.worstFault,
		WorstOrphan:              w.worstOrphanNote,
		WorstStatefulSetRetained: w.worstRetained}
}
