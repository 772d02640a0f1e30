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
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/kubernetes"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/test/bench"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

func run(ctx context.Context, args []string) error {
	f, err := parseFlags(args)
	if err != nil {
		return err
	}
	ctrl.SetLogger(logr.Discard())
	res := &bench.Results{Started: time.Now().UTC(), CPUs: runtime.NumCPU()}
	var runErr error
	if names := scenarioNames(f.scenarios); len(names) > 0 {
		labCtx := ctx
		if f.budget > 0 { // the lab's teardown is not bound by it
			var cancel context.CancelFunc
			labCtx, cancel = context.WithTimeout(ctx, f.budget)
			defer cancel()
		}
		res, runErr = runLab(labCtx, f, names)
	}
	if f.micro != "" {
		if err := addMicro(res, f.micro); err != nil {
			runErr = errors.Join(runErr, err)
		}
	}
	if res != nil {
		if err := bench.WriteResults(f.out, res); err != nil {
			return errors.Join(runErr, err)
		}
		fmt.Fprintf(os.Stderr, "spiderbench: wrote %s and %s\n", filepath.Join(f.out, "results.json"), filepath.Join(f.out, "results.md"))
	}
	return runErr
}

func addMicro(res *bench.Results, path string) error {
	file, err := os.Open(path) //nolint:gosec // the operator's file
	if err != nil {
		return fmt.Errorf("micro results: %w", err)
	}
	defer func() { _ = file.Close() }() // read-only
	res.Micro, err = bench.ParseMicro(file)
	return err
}

// runLab brings a lab up, runs the scenarios and takes it down.
func runLab(ctx context.Context, f flags, names []string) (*bench.Results, error) {
	scenarios, err := pickScenarios(f, names)
	if err != nil {
		return nil, err
	}
	opts, cleanup, err := labOptions(f)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	start := time.Now()
	l, err := lab.Up(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := l.Down(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintln(os.Stderr, "spiderbench: lab down:", err)
		}
	}()
	labUp := time.Since(start).Seconds()
	env, err := newEnv(l)
	if err != nil {
		return nil, err
	}
	save := func(r *bench.Results) {
		r.LabUpSeconds, r.CPUs = labUp, runtime.NumCPU()
		if err := bench.WriteResults(f.out, r); err != nil {
			fmt.Fprintln(os.Stderr, "spiderbench: partial results:", err)
		}
	}
	bo := bench.Options{Scenarios: scenarios, PhaseTimeout: f.phaseTimeout, Progress: os.Stderr, AfterScenario: save, ProfileDelay: f.profileDelay,
		ClaimStorage: f.claimStorage}
	if f.profile {
		bo.ProfileDir = f.out
	}
	if f.phases != "" {
		bo.Phases = strings.Split(f.phases, ",")
	}
	res, err := bench.Run(ctx, env, bo)
	if res != nil {
		res.LabUpSeconds, res.CPUs, res.ClaimStorage = labUp, runtime.NumCPU(), f.claimStorage
	}
	return res, err
}

func pickScenarios(f flags, names []string) ([]bench.Scenario, error) {
	all := bench.StandardScenarios(f.deployments, f.replicas)
	var out []bench.Scenario
	for _, n := range names {
		i := slices.IndexFunc(all, func(s bench.Scenario) bool { return s.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("unknown scenario %q: want exact, plenty, single or autopool", n)
		}
		out = append(out, all[i])
	}
	return out, nil
}

func newEnv(l *lab.Lab) (bench.Env, error) {
	cfg, err := l.RESTConfig()
	if err != nil {
		return bench.Env{}, err
	}
	scheme, err := bench.Scheme()
	if err != nil {
		return bench.Env{}, err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return bench.Env{}, fmt.Errorf("client: %w", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return bench.Env{}, fmt.Errorf("clientset: %w", err)
	}
	return bench.Env{Lab: l, Config: cfg, Client: c, Clientset: cs}, nil
}

// labOptions builds the binaries unless --bin-dir has them.
func labOptions(f flags) (lab.Options, func(), error) {
	tmp, err := os.MkdirTemp("", "spiderbench-")
	if err != nil {
		return lab.Options{}, nil, fmt.Errorf("temp dir: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(tmp) } // best effort: a temp dir
	bin := f.binDir
	if bin == "" {
		bin = filepath.Join(tmp, "bin")
		fmt.Fprintln(os.Stderr, "spiderbench: building the binaries")
		build := exec.Command("go", "build", "-o", bin+"/", "./cmd/spiderlab", "./cmd/spiderpool-agent", "./cmd/spiderpool", "./cmd/spiderpool-controller")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		build.Env = append(os.Environ(), "CGO_ENABLED=0") // static, as make build links them
		if err := build.Run(); err != nil {
			cleanup()
			return lab.Options{}, nil, fmt.Errorf("build binaries: %w", err)
		}
	}
	if f.k8sBin == "" || f.cniBin == "" {
		cleanup()
		return lab.Options{}, nil, errors.New("--k8s-bin and --cni-bin (or KUBEBUILDER_ASSETS and CNI_PLUGINS_DIR) are required")
	}
	root, err := os.Getwd()
	if err != nil {
		cleanup()
		return lab.Options{}, nil, fmt.Errorf("working dir: %w", err)
	}
	var env []string
	if f.claimStorage { // on agents and controllers together
		env = []string{config.EnvClaimStorage + "=true"}
	}
	return lab.Options{
		AgentEnv: env, ControllerEnv: env,
		Name: f.labName, Dir: filepath.Join(tmp, "lab"), Nodes: f.nodes, Controllers: f.controllers,
		K8sBinDir: f.k8sBin, CNIBinDirs: []string{f.cniBin},
		LabBinary: filepath.Join(bin, "spiderlab"), AgentBinary: filepath.Join(bin, "spiderpool-agent"),
		ControllerBinary: filepath.Join(bin, "spiderpool-controller"),
		CRDDirs:          []string{filepath.Join(root, "config/crd/bases"), filepath.Join(root, "config/crd/nad")},
		NodeNetwork:      bench.Network, Progress: os.Stderr,
	}, cleanup, nil
}
