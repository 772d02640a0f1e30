// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/test/lab"
)

// Env is the running lab the benchmark drives.
type Env struct {
	// Lab is the lab; its nodes' CNI logs are at CNILogPath.
	Lab *lab.Lab
	// Config is the admin REST configuration.
	Config *rest.Config
	// Client is a direct client with the Spider types in its scheme.
	Client client.Client
	// Clientset feeds the pod informers.
	Clientset kubernetes.Interface
}

// Run runs every scenario of opts in env, one after the other, and returns
// what it measured. A phase that fails or times out is recorded in its
// result; Run fails only when a scenario cannot be set up. When ctx ends
// (the run's time budget), the phase running is cut short and recorded as
// timed out, and the scenarios left are listed in Results.NotRun.
func Run(ctx context.Context, env Env, opts Options) (*Results, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if opts.Namespace == "" {
		opts.Namespace = "bench"
	}
	res := &Results{Started: time.Now().UTC(), Nodes: len(env.Lab.Nodes), LoadAvgStart: loadAvg()}
	for i, s := range opts.Scenarios {
		if ctx.Err() != nil {
			res.NotRun = append(res.NotRun, s.Name)
			continue
		}
		r, err := runScenario(ctx, env, opts, i, s)
		if err != nil && ctx.Err() != nil {
			res.NotRun = append(res.NotRun, s.Name)
			continue
		}
		if err != nil {
			return res, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
		res.Scenarios = append(res.Scenarios, r)
		if opts.AfterScenario != nil {
			opts.AfterScenario(res)
		}
	}
	res.LoadAvgEnd = loadAvg()
	return res, nil
}

// scenarioRun is one scenario's state while it runs.
type scenarioRun struct {
	env    Env
	opts   Options
	s      Scenario
	ns     string
	layout layout
	pods   *tracker
}

func runScenario(ctx context.Context, env Env, opts Options, i int, s Scenario) (ScenarioResult, error) {
	l := layoutOf(i, s)
	r := &scenarioRun{env: env, opts: opts, s: s, ns: opts.Namespace + "-" + s.Name, layout: l, pods: newTracker()}
	r.progress("scenario %s: %d Deployments x %d replicas, pools %s", s.Name, s.Deployments, s.Replicas, s.Pools)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: r.ns}}
	if err := createAll(ctx, env.Client, append([]client.Object{ns}, l.objs...)...); err != nil {
		return ScenarioResult{}, err
	}
	stop, err := r.watchPods(ctx)
	if err != nil {
		return ScenarioResult{}, err
	}
	defer stop()
	out := ScenarioResult{Scenario: s, PoolsNote: l.note}
	for _, ph := range []struct {
		name string
		run  func(context.Context, *PhaseResult) error
	}{{"create", r.create}, {"re-create", r.recreate}, {"delete", r.delete}} {
		if len(opts.Phases) > 0 && !slices.Contains(opts.Phases, ph.name) {
			continue
		}
		stopProfiles := r.startProfiles(ctx, i == 0 && ph.name == "create", ph.name)
		out.Phases = append(out.Phases, r.phase(ctx, ph.name, ph.run))
		out.Profiles = append(out.Profiles, stopProfiles()...)
	}
	r.cleanup(ctx, ns)
	return out, nil
}

// watchPods starts an informer on the scenario's namespace feeding the
// tracker and waits for its first list.
func (r *scenarioRun) watchPods(ctx context.Context) (func(), error) {
	f := informers.NewSharedInformerFactoryWithOptions(r.env.Clientset, 0, informers.WithNamespace(r.ns))
	inf := f.Core().V1().Pods().Informer()
	if _, err := inf.AddEventHandler(r.pods.handler()); err != nil {
		return nil, fmt.Errorf("pod informer: %w", err)
	}
	stopCh := make(chan struct{})
	f.Start(stopCh)
	for typ, ok := range f.WaitForCacheSync(ctx.Done()) {
		if !ok {
			close(stopCh)
			return nil, fmt.Errorf("pod informer %v did not sync", typ)
		}
	}
	return func() { close(stopCh); f.Shutdown() }, nil
}

// cleanup deletes the scenario's pools or subnets and its namespace without
// waiting.
func (r *scenarioRun) cleanup(ctx context.Context, ns *corev1.Namespace) {
	for _, o := range r.layout.objs {
		if err := r.env.Client.Delete(ctx, o); err != nil && !apierrors.IsNotFound(err) {
			r.progress("scenario %s: delete %T %s: %v", r.s.Name, o, o.GetName(), err)
		}
	}
	if err := r.env.Client.Delete(ctx, ns); err != nil {
		r.progress("scenario %s: delete namespace: %v", r.s.Name, err)
	}
}

func (r *scenarioRun) progress(format string, args ...any) {
	_, _ = fmt.Fprintf(r.opts.Progress, "%s bench: "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, args...)...)
}
