// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"time"

	"github.com/spiderpool-go/spiderpool/test/bench"
)

// Run runs every scenario of opts with every build, one after the other,
// in the lab of env, and returns what it measured. The lab must run passive
// nodes (lab.Options.PassiveNodes) with agents and the controller. When ctx
// ends (the run's time budget), the phase running is cut short and the
// scenario runs left are listed in Results.NotRun.
func Run(ctx context.Context, env bench.Env, opts Options) (*Results, error) {
	opts = opts.withDefaults()
	if err := opts.validate(len(env.Lab.Nodes)); err != nil {
		return nil, err
	}
	res := &Results{Started: time.Now().UTC(), Nodes: len(env.Lab.Nodes), Pods: opts.Pods,
		Concurrency: opts.Concurrency, CPUs: runtime.NumCPU(), Builds: opts.Builds}
	nodes := make([]nodeConfig, len(env.Lab.Nodes))
	for i, n := range env.Lab.Nodes {
		nc, err := nodeConfigOf(env.Lab, n)
		if err != nil {
			return res, err
		}
		nodes[i] = nc
	}
	progress(opts, "creating %d pod network namespaces", opts.Pods)
	sb, err := createSandboxes(env.Lab.PodNetNSPrefix(), opts.Pods)
	defer func() {
		if err := sb.remove(); err != nil {
			progress(opts, "removing the pod network namespaces: %v", err)
		}
	}()
	if err != nil {
		return res, err
	}
	applied := &buildEnv{}
	for _, s := range opts.Scenarios {
		for _, b := range opts.Builds {
			if ctx.Err() != nil {
				res.NotRun = append(res.NotRun, b.Name+"/"+s.Name)
				continue
			}
			r := &scenarioRun{env: env, opts: opts, s: s, b: b, nodes: nodes, sandboxes: sb.paths, buildEnv: applied}
			rr, err := r.run(ctx)
			if err != nil && ctx.Err() != nil {
				res.NotRun = append(res.NotRun, b.Name+"/"+s.Name)
				continue
			}
			if err != nil {
				res.Error = fmt.Sprintf("%s/%s: %v", b.Name, s.Name, err)
				return res, fmt.Errorf("scenario %s, build %s: %w", s.Name, b.Name, err)
			}
			res.Runs = append(res.Runs, rr)
			if opts.AfterRun != nil {
				opts.AfterRun(res)
			}
		}
	}
	return res, nil
}

// scenarioRun is one scenario with one build while it runs.
type scenarioRun struct {
	env       bench.Env
	opts      Options
	s         Scenario
	b         Build
	nodes     []nodeConfig
	sandboxes []string
	buildEnv  *buildEnv
	ns        string
	layout    layout
	calls     []call
}

func (r *scenarioRun) run(ctx context.Context) (RunResult, error) {
	r.ns = "ct-" + r.s.Name + "-" + r.b.Name
	r.layout = layoutOf(r.s, nodeNames(r.env), r.opts.Pods)
	out := RunResult{Build: r.b.Name, Scenario: r.s, Pools: len(r.layout.Pools)}
	if err := r.env.Lab.SwapAgents(ctx, r.b.AgentBinary); err != nil {
		return out, err
	}
	if err := setClaimStorage(ctx, r.env.Lab, r.b.ClaimStorage); err != nil {
		return out, err
	}
	if err := r.buildEnv.set(ctx, r.env.Lab, r.b.AgentEnv); err != nil {
		return out, err
	}
	out.ControllerGC = r.s.ForeignRecords == 0
	if err := setControllerGC(ctx, r.env.Lab, out.ControllerGC); err != nil {
		return out, err
	}
	r.progress("setting up: %d pools, %d pods in namespace %s", len(r.layout.Pools), r.opts.Pods, r.ns)
	err := r.setUp(ctx)
	if err == nil && r.b.ClaimStorage && r.layout.ForeignPool != "" {
		// The controller adopts the foreign records (a claim each) before
		// the phase: a one-time migration, measured apart.
		var took time.Duration
		took, err = r.waitProjected(ctx, adoptionTimeout)
		out.AdoptionSeconds = took.Seconds()
		r.progress("%d foreign records adopted in %.1f s", len(r.layout.Foreign), out.AdoptionSeconds)
	}
	if err == nil {
		out.Phases = append(out.Phases, r.phase(ctx, "ADD"))
		err = r.terminatePods(ctx)
	}
	if err == nil {
		out.Phases = append(out.Phases, r.phase(ctx, "DEL"))
	}
	var cleanErr error
	out.Notes, cleanErr = r.cleanUp(context.WithoutCancel(ctx))
	return out, errors.Join(err, cleanErr)
}

// adoptionTimeout bounds the controller's adoption of a scenario's foreign
// records in claim mode (20,000 claims at the controller's 100 requests/s).
const adoptionTimeout = 10 * time.Minute

// phase makes every pod's plugin call for command and measures it.
func (r *scenarioRun) phase(ctx context.Context, command string) PhaseResult {
	ctx, cancel := context.WithTimeout(ctx, r.opts.PhaseTimeout)
	defer cancel()
	load := load{binary: r.b.PluginBinary, command: command, nodes: r.nodes, workers: r.opts.Concurrency}
	loadStart := bench.LoadAvg()
	before := takeSnapshot(ctx, r.env.Config, r.env.Lab)
	r.progress("%s: %d calls starting, %d in flight per node", command, len(r.calls), r.opts.Concurrency)
	outs, wall := load.run(ctx, r.calls)
	after := takeSnapshot(context.WithoutCancel(ctx), r.env.Config, r.env.Lab)
	dups := 0
	if command == "ADD" {
		dups = r.checkAddresses(outs)
	}
	res := summarise(command, outs, wall, before, after)
	res.LoadAvgStart, res.LoadAvgEnd = loadStart, bench.LoadAvg()
	res.Checks.Duplicates = dups
	var err error
	if r.b.ClaimStorage {
		var lag time.Duration
		lag, err = r.waitProjected(context.WithoutCancel(ctx), time.Minute)
		res.ProjectionLagSeconds = lag.Seconds()
	}
	if err == nil {
		res.Checks.Recorded, res.Checks.Foreign, err = r.records(context.WithoutCancel(ctx))
	}
	if err != nil {
		res.Notes = append(res.Notes, err.Error())
	}
	r.progress("%s: %d/%d ok in %.1f s (%.1f/s), p99 %.0f ms, %.2f pool writes and %.2f conflicts per call",
		command, res.OK, res.Calls, res.WallSeconds, res.OpsPerSecond, res.Latency.P99, res.PerAllocation.PoolWrites, res.PerAllocation.PoolConflicts)
	return res
}

// checkAddresses turns an ADD without an address of a family its pod asked
// for into a failure, and returns how many addresses two pods got.
func (r *scenarioRun) checkAddresses(outs []outcome) int {
	seen := map[netip.Addr]int{}
	dups := 0
	for i := range outs {
		o := &outs[i]
		if o.Err != "" {
			continue
		}
		var v4, v6 bool
		for _, ip := range o.IPs {
			p, err := netip.ParsePrefix(ip)
			if err != nil {
				continue
			}
			v4, v6 = v4 || p.Addr().Is4(), v6 || p.Addr().Is6()
			if seen[p.Addr()]++; seen[p.Addr()] == 2 {
				dups++
			}
		}
		if !v4 || (r.s.DualStack && !v6) {
			o.Err = fmt.Sprintf("ADD succeeded without an address of every family asked for: %v", o.IPs)
		}
	}
	return dups
}

func (r *scenarioRun) progress(format string, args ...any) {
	progress(r.opts, r.b.Name+" "+r.s.Name+": "+format, args...)
}

func progress(o Options, format string, args ...any) {
	_, _ = fmt.Fprintf(o.Progress, "%s contention: "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, args...)...)
}

func nodeNames(env bench.Env) []string {
	out := make([]string, len(env.Lab.Nodes))
	for i, n := range env.Lab.Nodes {
		out[i] = n.Name
	}
	return out
}
