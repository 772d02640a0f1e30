// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-logr/logr"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/spiderpool-go/spiderpool/test/bench"
	"github.com/spiderpool-go/spiderpool/test/bench/contention"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

func run(ctx context.Context, args []string) error {
	f, err := parseFlags(args)
	if err != nil {
		return err
	}
	ctrl.SetLogger(logr.Discard())
	names := scenarioNames(f.scenarios)
	if len(names) == 0 {
		return nil
	}
	scenarios, err := contention.PickScenarios(names)
	if err != nil {
		return err
	}
	bin, cleanup, err := binaries(f)
	if err != nil {
		return err
	}
	defer cleanup()
	opts := contention.Options{Scenarios: scenarios, Builds: builds(f, bin), Pods: f.pods, Concurrency: f.concurrency,
		PhaseTimeout: f.phaseTimeout, Settle: f.settle, Progress: os.Stderr}
	res, err := runLab(ctx, f, bin, opts)
	if res != nil {
		if werr := contention.WriteResults(f.out, res); werr != nil {
			return errors.Join(err, werr)
		}
		fmt.Print(contention.Markdown(res))
		fmt.Fprintf(os.Stderr, "contentionbench: wrote %s and %s\n",
			filepath.Join(f.out, "contention.json"), filepath.Join(f.out, "contention.md"))
	}
	return err
}

// builds is the measured build and, when asked for, the baseline.
func builds(f flags, bin string) []contention.Build {
	current := contention.Build{Name: "current", AgentBinary: f.agentBinary, PluginBinary: f.pluginBinary,
		AgentEnv: envList(f.agentEnv)}
	if current.AgentBinary == "" {
		current.AgentBinary = filepath.Join(bin, "spiderpool-agent")
	}
	if current.PluginBinary == "" {
		current.PluginBinary = filepath.Join(bin, "spiderpool")
	}
	out := []contention.Build{current}
	if f.claimsOnly {
		out = nil
	}
	if f.claimStorage || f.claimsOnly {
		claims := current
		claims.Name, claims.ClaimStorage = "claims", true
		out = append(out, claims)
	}
	if f.baselineAgentBinary != "" || f.baselinePluginBinary != "" || f.baselineAgentEnv != "" {
		// With --claims-only the baseline runs the claim storage too.
		base := contention.Build{Name: "baseline", AgentBinary: f.baselineAgentBinary, PluginBinary: f.baselinePluginBinary,
			ClaimStorage: f.claimsOnly, AgentEnv: envList(f.baselineAgentEnv)}
		if base.AgentBinary == "" {
			base.AgentBinary = current.AgentBinary
		}
		if base.PluginBinary == "" {
			base.PluginBinary = current.PluginBinary
		}
		out = append(out, base)
	}
	return out
}

// runLab brings the lab up with the first build's agent, runs the
// scenarios and takes the lab down.
func runLab(ctx context.Context, f flags, bin string, opts contention.Options) (*contention.Results, error) {
	lopts, err := labOptions(f, bin, opts.Builds[0].AgentBinary)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	l, err := lab.Up(ctx, lopts)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := l.Down(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintln(os.Stderr, "contentionbench: lab down:", err)
		}
	}()
	labUp := time.Since(start).Seconds()
	env, err := newEnv(l)
	if err != nil {
		return nil, err
	}
	opts.AfterRun = func(r *contention.Results) {
		r.LabUpSeconds = labUp
		if err := contention.WriteResults(f.out, r); err != nil {
			fmt.Fprintln(os.Stderr, "contentionbench: partial results:", err)
		}
	}
	if f.budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.budget)
		defer cancel()
	}
	res, err := contention.Run(ctx, env, opts)
	if res != nil {
		res.LabUpSeconds = labUp
	}
	return res, err
}

func newEnv(l *lab.Lab) (bench.Env, error) {
	cfg, err := l.RESTConfig()
	if err != nil {
		return bench.Env{}, err
	}
	c, err := l.Client()
	if err != nil {
		return bench.Env{}, err
	}
	return bench.Env{Lab: l, Config: cfg, Client: c}, nil
}

// binaries returns --bin-dir, or a temporary dir the binaries are built into.
func binaries(f flags) (string, func(), error) {
	if f.binDir != "" {
		return f.binDir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "contentionbench-")
	if err != nil {
		return "", nil, fmt.Errorf("temp dir: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(tmp) } // best effort: a temp dir
	fmt.Fprintln(os.Stderr, "contentionbench: building the binaries")
	build := exec.Command("go", "build", "-o", tmp+"/", "./cmd/spiderlab", "./cmd/spiderpool-agent", "./cmd/spiderpool", "./cmd/spiderpool-controller")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // static, as make build links them
	if err := build.Run(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("build binaries: %w", err)
	}
	return tmp, cleanup, nil
}

// labOptions is a process-mode lab as contention.LabOptions makes it.
func labOptions(f flags, bin, agent string) (lab.Options, error) {
	if f.k8sBin == "" || f.cniBin == "" {
		return lab.Options{}, errors.New("--k8s-bin and --cni-bin (or KUBEBUILDER_ASSETS and CNI_PLUGINS_DIR) are required")
	}
	root, err := os.Getwd()
	if err != nil {
		return lab.Options{}, fmt.Errorf("working dir: %w", err)
	}
	dir, err := os.MkdirTemp("", "contentionlab-")
	if err != nil {
		return lab.Options{}, fmt.Errorf("temp dir: %w", err)
	}
	return contention.LabOptions(lab.Options{
		Name: f.labName, Dir: dir, Nodes: f.nodes,
		K8sBinDir: f.k8sBin, CNIBinDirs: []string{f.cniBin}, HostBinDir: bin,
		LabBinary: filepath.Join(bin, "spiderlab"), AgentBinary: agent,
		ControllerBinary: filepath.Join(bin, "spiderpool-controller"),
		CRDDirs:          []string{filepath.Join(root, "config/crd/bases"), filepath.Join(root, "config/crd/nad")},
		Progress:         os.Stderr,
	}), nil
}

// envList splits a KEY=VALUE,... flag; empty gives none.
func envList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
