// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Command contentionbench runs the plugin-direct contention benchmark
// (package contention) in a lab of its own and writes contention.json and
// contention.md. With --baseline-agent-binary (and/or
// --baseline-plugin-binary) every scenario also runs with that build, in
// the same lab, right after the current one.
//
//	go run ./test/bench/contention/cmd/contentionbench --nodes 2 --pods 50 --scenarios shared-v4
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
	nodes, pods, concurrency                  int
	scenarios, out, labName, binDir           string
	k8sBin, cniBin                            string
	agentBinary, pluginBinary                 string
	baselineAgentBinary, baselinePluginBinary string
	agentEnv, baselineAgentEnv                string
	phaseTimeout, budget, settle              time.Duration
	claimStorage, claimsOnly                  bool
}

func parseFlags(args []string) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("contentionbench", flag.ContinueOnError)
	fs.IntVar(&f.nodes, "nodes", 10, "nodes, each with its agent")
	fs.IntVar(&f.pods, "pods", 1000, "pods, bound to the nodes round-robin")
	fs.IntVar(&f.concurrency, "concurrency", 5, "plugin calls in flight per node")
	fs.StringVar(&f.scenarios, "scenarios", "shared-v4,pernode-v4,shared-dual,pernode-dual,shared-v4-big", "scenarios to run, comma-separated")
	fs.StringVar(&f.out, "out", "_output/bench", "directory for contention.json and contention.md")
	fs.StringVar(&f.labName, "lab-name", "cont", "lab name (at most 6 characters; prefixes network namespaces)")
	fs.StringVar(&f.binDir, "bin-dir", "", "directory with spiderlab, spiderpool-agent, spiderpool and spiderpool-controller (default: build them)")
	fs.StringVar(&f.k8sBin, "k8s-bin", os.Getenv("KUBEBUILDER_ASSETS"), "Kubernetes binaries (hack/testbin.sh)")
	fs.StringVar(&f.cniBin, "cni-bin", os.Getenv("CNI_PLUGINS_DIR"), "CNI plugins (hack/testbin.sh --cni-dir)")
	fs.StringVar(&f.agentBinary, "agent-binary", "", "spiderpool-agent of the build measured (default: the one in --bin-dir)")
	fs.StringVar(&f.pluginBinary, "plugin-binary", "", "spiderpool plugin of the build measured (default: the one in --bin-dir)")
	fs.StringVar(&f.baselineAgentBinary, "baseline-agent-binary", "", "also run every scenario with this spiderpool-agent (build \"baseline\")")
	fs.StringVar(&f.baselinePluginBinary, "baseline-plugin-binary", "", "the baseline build's plugin (default: the measured build's)")
	fs.StringVar(&f.agentEnv, "agent-env", "", "KEY=VALUE,... added to the agents' environment of the measured build (e.g. GOMAXPROCS=1)")
	fs.StringVar(&f.baselineAgentEnv, "baseline-agent-env", "", "KEY=VALUE,... added to the agents' environment of the baseline build; with the same binaries this A/Bs a setting in one lab")
	fs.BoolVar(&f.claimStorage, "claim-storage", false, "also run every scenario with the measured build and SPIDERPOOL_CLAIM_STORAGE on (build \"claims\")")
	fs.BoolVar(&f.claimsOnly, "claims-only", false, "run only the build \"claims\" (and the baseline, if given, also with the claim storage): the measured build with SPIDERPOOL_CLAIM_STORAGE on")
	fs.DurationVar(&f.phaseTimeout, "phase-timeout", 10*time.Minute, "bound of each phase (ADD or DEL of every pod)")
	fs.DurationVar(&f.budget, "budget", 0, "bound of all scenarios together (0: none); scenario runs it leaves out are listed as not run")
	fs.DurationVar(&f.settle, "settle", 5*time.Second, "wait after creating the pods, for the agents' caches")
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
		fmt.Fprintln(os.Stderr, "contentionbench:", err)
		os.Exit(1)
	}
}

// scenarioNames splits the --scenarios flag; "none" runs nothing.
func scenarioNames(s string) []string {
	if s == "" || s == "none" {
		return nil
	}
	return strings.Split(s, ",")
}
