// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Command spiderbench runs the lab replay of Spiderpool's IPAM benchmark
// (package bench) and writes results.json and results.md; given the output
// of `go test -bench`, it adds the microbenchmarks to both.
//
//	go run ./test/bench/spiderbench --nodes 3 --deployments 10 --replicas 5
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type flags struct {
	profile, claimStorage                     bool
	profileDelay, budget                      time.Duration
	nodes, deployments, replicas, controllers int
	scenarios, out, micro, labName, binDir    string
	phases                                    string
	k8sBin, cniBin                            string
	phaseTimeout                              time.Duration
}

func parseFlags(args []string) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("spiderbench", flag.ContinueOnError)
	fs.IntVar(&f.nodes, "nodes", 10, "simulated nodes, each with its own agent")
	fs.IntVar(&f.deployments, "deployments", 100, "Deployments per scenario (the single scenario uses 1)")
	fs.IntVar(&f.replicas, "replicas", 10, "replicas per Deployment")
	fs.IntVar(&f.controllers, "controllers", 1, "spiderpool-controller replicas")
	fs.StringVar(&f.scenarios, "scenarios", "exact,plenty,single,autopool", "scenarios to run, comma-separated (exact, plenty, single, autopool), or none")
	fs.StringVar(&f.out, "out", "_output/bench", "directory for results.json and results.md")
	fs.StringVar(&f.micro, "micro", "", "file with `go test -bench` output to add to the results")
	fs.StringVar(&f.labName, "lab-name", "bench", "lab name (at most 6 characters; prefixes network namespaces)")
	fs.StringVar(&f.binDir, "bin-dir", "", "directory with spiderlab, spiderpool-agent, spiderpool and spiderpool-controller (default: build them)")
	fs.StringVar(&f.k8sBin, "k8s-bin", os.Getenv("KUBEBUILDER_ASSETS"), "Kubernetes binaries (hack/testbin.sh)")
	fs.StringVar(&f.cniBin, "cni-bin", os.Getenv("CNI_PLUGINS_DIR"), "CNI plugins (hack/testbin.sh --cni-dir)")
	fs.DurationVar(&f.phaseTimeout, "phase-timeout", 10*time.Minute, "bound of each phase")
	fs.StringVar(&f.phases, "phases", "", "run only these phases, comma-separated (create, re-create, delete; default all)")
	fs.DurationVar(&f.budget, "budget", 0, "bound of all scenarios together (0: none); a phase it cuts short is recorded as timed out, scenarios left as not run")
	fs.BoolVar(&f.claimStorage, "claim-storage", false, "run the agents and controllers with SPIDERPOOL_CLAIM_STORAGE on (docs/ipam.md); the checks read the SpiderIPClaims")
	fs.BoolVar(&f.profile, "profile", true, "CPU-profile the API server, one agent and the controller during the first scenario's create phase (files under <out>/profiles)")
	fs.DurationVar(&f.profileDelay, "profile-delay", 20*time.Second, "how far into the create phase the 30 s profiles start")
	if err := fs.Parse(args); err != nil {
		return f, fmt.Errorf("parse flags: %w", err)
	}
	return f, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "spiderbench:", err)
		os.Exit(1)
	}
}

// scenarioNames splits the --scenarios flag; "none" runs no lab.
func scenarioNames(s string) []string {
	if s == "" || s == "none" {
		return nil
	}
	return strings.Split(s, ",")
}
