// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"context"
	"time"

	"github.com/spiderpool-go/spiderpool/test/lab"
)

// Supervise restarts, every 2 s until ctx ends, a lab process that exited
// on its own (as kubelet or systemd would), counting exits by process;
// processes a fault holds down are left alone.
func (in *Injector) Supervise(ctx context.Context, exits map[string]int) {
	procs := map[string]func() error{lab.EtcdProcess: in.lab.StartEtcd, lab.APIServerProcess: in.lab.StartAPIServer}
	for _, n := range in.lab.Nodes {
		procs[lab.AgentProcess(n.Name)] = func() error { return in.lab.StartAgent(n) }
		procs[lab.NodeProcess(n.Name)] = func() error { return in.lab.StartNode(n) }
	}
	for i := range in.lab.Controllers {
		procs[lab.ControllerProcess(i)] = func() error { return in.lab.StartController(i) }
	}
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for name, start := range procs {
			in.restartExited(name, start, exits)
		}
	}
}

// restartExited starts process name again if it is down and no fault
// holds it down; a fault's hold waits until it is done (Injector.restart).
func (in *Injector) restartExited(name string, start func() error, exits map[string]int) {
	in.restart.Lock()
	defer in.restart.Unlock()
	if in.held(name) || in.lab.IsRunning(name) {
		return
	}
	in.mu.Lock()
	exits[name]++
	in.mu.Unlock()
	if err := start(); err != nil {
		in.failed("restart "+Kind(name), err)
	}
}

// Schedule injects faults until ctx ends: every kind once, spread over
// d in a seeded order (the node stop first), or a random kind every 5-25 s.
func (in *Injector) Schedule(ctx context.Context, d time.Duration, everyKindOnce bool) {
	if everyKindOnce {
		// The node stop goes first: it lasts past the node monitor grace
		// period, so its node turns NotReady within a short run.
		kinds := Kinds()[:0:0]
		for _, k := range Kinds() {
			if k != StopNode {
				kinds = append(kinds, k)
			}
		}
		in.rngMu.Lock()
		in.rng.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
		in.rngMu.Unlock()
		kinds = append([]Kind{StopNode}, kinds...)
		gap := d * 3 / 4 / time.Duration(len(kinds))
		for _, k := range kinds {
			sleep(ctx, gap)
			if ctx.Err() != nil {
				return
			}
			for !in.Inject(ctx, k) && ctx.Err() == nil {
				sleep(ctx, time.Second) // its target is busy: every kind must run once
			}
		}
		return
	}
	kinds := Kinds()
	for {
		sleep(ctx, in.between(5*time.Second, 25*time.Second))
		if ctx.Err() != nil {
			return
		}
		in.Inject(ctx, kinds[in.intn(len(kinds))])
	}
}
