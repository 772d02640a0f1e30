// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"context"
	"fmt"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/test/lab"
)

// Run does one chaos run on l, whose agents and controllers reach the API
// server through proxy: it creates the pools and workloads, churns and
// injects faults for cfg.Duration, undoes every fault, settles and checks.
func Run(ctx context.Context, l *lab.Lab, proxy *Proxy, restCfg *rest.Config, c client.Client, cfg Config) (*Result, error) {
	res := &Result{Seed: cfg.Seed, Nodes: cfg.Nodes, Pods: cfg.Pods, Duration: cfg.Duration.String(), Started: time.Now().UTC(),
		ClaimStorage: cfg.ClaimStorage}
	base := ShapeOf(cfg.Pods)
	for _, p := range Pools(cfg.Pods) {
		if err := c.Create(ctx, p); err != nil {
			return nil, fmt.Errorf("create pool %s: %w", p.Name, err)
		}
	}
	if err := CreateWorkloads(ctx, c, cfg.Namespace, base); err != nil {
		return nil, err
	}
	in := NewInjector(l, c, proxy, cfg.Namespace, cfg.Seed)
	ca, err := cache.New(restCfg, cache.Options{Scheme: c.Scheme()})
	if err != nil {
		return nil, fmt.Errorf("chaos cache: %w", err)
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	w, err := NewWatcher(watchCtx, ca, c, cfg.Namespace, in)
	if err != nil {
		return nil, err
	}
	w.claims = cfg.ClaimStorage
	go w.Run(watchCtx)
	exits := map[string]int{}
	superCtx, stopSuper := context.WithCancel(ctx)
	defer stopSuper()
	go in.Supervise(superCtx, exits)
	ch := runWindow(ctx, w, in, base, cfg, res, NewChurn(c, cfg.Namespace, base, cfg.Seed+1))
	proxy.Heal()

	settle := time.Now()
	res.Problems = w.Settle(ctx, base, cfg.Settle)
	res.Settle = time.Since(settle).Round(time.Second).String()
	stopSuper()
	res.CheckExit, res.CheckOutput = Check(ctx, cfg.CtlBinary, l.Kubeconfig)
	stopWatch()
	res.fill(w.Stats(), in, ch.Stats(), exits)
	return res, nil
}

// runWindow ramps the workloads up to their base size, churns them and
// injects faults for cfg.Duration, and returns once every fault is undone
// and the churn stopped. A long run's window starts with the ramp (pods are
// created while faults strike); the short run (every kind once) ramps up
// quietly first, so that each kind hits a settled cluster.
func runWindow(ctx context.Context, w *Watcher, in *Injector, base Shape, cfg Config, res *Result, ch *Churn) *Churn {
	ramp := time.Now()
	if cfg.EveryKindOnce {
		res.RampProblems = w.Settle(ctx, base, cfg.Settle)
		res.RampUp = time.Since(ramp).Round(time.Second).String()
	}
	runCtx, stopRun := context.WithTimeout(ctx, cfg.Duration)
	defer stopRun()
	faults := make(chan struct{})
	go func() { in.Schedule(runCtx, cfg.Duration, cfg.EveryKindOnce); close(faults) }()
	if !cfg.EveryKindOnce {
		res.RampProblems = w.Settle(runCtx, base, cfg.Settle)
		res.RampUp = time.Since(ramp).Round(time.Second).String()
	}
	churned := make(chan struct{})
	go func() { ch.Run(runCtx); close(churned) }()
	<-runCtx.Done()
	<-faults
	in.Wait()
	<-churned
	return ch
}
