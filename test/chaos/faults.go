// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"sync"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/test/lab"
)

// Kind is a kind of fault.
type Kind string

// The fault kinds, each undone after a random delay.
const (
	KillAgent     Kind = "kill-agent"
	KillLeader    Kind = "kill-leading-controller"
	KillAPIServer Kind = "kill-apiserver"
	KillEtcd      Kind = "kill-etcd"
	StopNode      Kind = "stop-node"
	ForceDelete   Kind = "force-delete-without-del"
	HideSocket    Kind = "agent-socket-unreachable"
	APIErrors     Kind = "apiserver-500-429"
)

// Kinds lists every fault kind.
func Kinds() []Kind {
	return []Kind{KillAgent, KillLeader, KillAPIServer, KillEtcd, StopNode, ForceDelete, HideSocket, APIErrors}
}

// Injector injects faults into a lab and undoes them. Faults on one
// target (a node, the control plane, the controllers, the proxy) never
// overlap; faults on different targets may.
type Injector struct {
	lab   *lab.Lab
	c     client.Client
	proxy *Proxy
	ns    string
	rng   *rand.Rand
	rngMu sync.Mutex

	// restart is held by Supervise from its look at a process to its
	// restart, and by hold when a fault takes a process down, so that a
	// restart never starts a second copy of a process a fault just
	// killed (seed 1058 ran two simulators of one node that way).
	restart sync.Mutex

	mu      sync.Mutex
	busy    map[string]bool
	down    map[string]bool
	counts  map[Kind]int
	skipped map[Kind]int
	starts  []faultStart
	errs    []string
	wg      sync.WaitGroup
}

// NewInjector returns an injector of faults into l; c is an admin client
// that bypasses the proxy.
func NewInjector(l *lab.Lab, c client.Client, proxy *Proxy, ns string, seed int64) *Injector {
	return &Injector{lab: l, c: c, proxy: proxy, ns: ns, rng: rand.New(rand.NewSource(seed)), //nolint:gosec // seeded, replayable
		busy: map[string]bool{}, down: map[string]bool{}, counts: map[Kind]int{}, skipped: map[Kind]int{}}
}

func (in *Injector) intn(n int) int {
	in.rngMu.Lock()
	defer in.rngMu.Unlock()
	return in.rng.Intn(n)
}

// between is a random duration in [lo, hi].
func (in *Injector) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(in.intn(int((hi-lo)/time.Millisecond)+1))*time.Millisecond
}

// claim marks target busy; false if a fault holds it already.
func (in *Injector) claim(target string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.busy[target] {
		return false
	}
	in.busy[target] = true
	return true
}

func (in *Injector) release(target string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	delete(in.busy, target)
}

// hold marks a lab process as down on purpose, so the supervisor leaves it.
func (in *Injector) hold(name string, down bool) {
	if down {
		in.restart.Lock()
		defer in.restart.Unlock()
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.down[name] = down
}

func (in *Injector) held(name string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.down[name]
}

func (in *Injector) failed(kind Kind, err error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.errs = append(in.errs, fmt.Sprintf("%s %s: %v", time.Now().UTC().Format(time.TimeOnly), kind, err))
}

// LastStartBefore is the start of the last fault begun before t.
func (in *Injector) LastStartBefore(t time.Time) (time.Time, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	i := sort.Search(len(in.starts), func(i int) bool { return in.starts[i].at.After(t) })
	if i == 0 {
		return time.Time{}, false
	}
	return in.starts[i-1].at, true
}

// faultStart is when a fault of kind started.
type faultStart struct {
	at   time.Time
	kind Kind
}

// StartedBetween lists the faults started in [from, to] as "kind@hh:mm:ss".
func (in *Injector) StartedBetween(from, to time.Time) []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	var out []string
	for _, f := range in.starts {
		if !f.at.Before(from) && !f.at.After(to) {
			out = append(out, fmt.Sprintf("%s@%s", f.kind, f.at.UTC().Format(time.TimeOnly)))
		}
	}
	return out
}

// Counts returns the faults injected and those skipped (target busy) by kind.
func (in *Injector) Counts() (injected, skipped map[Kind]int, errs []string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	injected, skipped = map[Kind]int{}, map[Kind]int{}
	for k, v := range in.counts {
		injected[k] = v
	}
	for k, v := range in.skipped {
		skipped[k] = v
	}
	return injected, skipped, append([]string(nil), in.errs...)
}

// Inject starts a fault of kind in the background; it is undone after its
// delay, or at once when ctx ends. It reports false (and counts the kind
// as skipped) when the target is held by another fault.
func (in *Injector) Inject(ctx context.Context, kind Kind) bool {
	f, target := in.plan(ctx, kind)
	if f == nil || !in.claim(target) {
		in.mu.Lock()
		in.skipped[kind]++
		in.mu.Unlock()
		return false
	}
	in.mu.Lock()
	in.counts[kind]++
	in.starts = append(in.starts, faultStart{at: time.Now(), kind: kind})
	in.mu.Unlock()
	in.wg.Add(1)
	go func() {
		defer in.wg.Done()
		defer in.release(target)
		if err := f(ctx); err != nil {
			in.failed(kind, err)
		}
	}()
	return true
}

// Wait waits until every fault is undone.
func (in *Injector) Wait() { in.wg.Wait() }

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
