// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// Scenario is one layout of pools that every build runs through ADD and DEL.
type Scenario struct {
	// Name labels the scenario in the results.
	Name string `json:"name"`
	// PerNode gives every node its own pool (per family) holding exactly
	// its pods' share of addresses; otherwise one pool of exactly Pods
	// addresses is shared by every node.
	PerNode bool `json:"perNode"`
	// DualStack adds an IPv6 pool beside each IPv4 pool.
	DualStack bool `json:"dualStack"`
	// ForeignRecords, when above 0, makes the shared IPv4 pool a /16 that
	// holds that many records of pods that do not exist before the run.
	ForeignRecords int `json:"foreignRecords,omitempty"`
}

// StandardScenarios are the five scenarios of `make bench`.
func StandardScenarios() []Scenario {
	return []Scenario{
		{Name: "shared-v4"},
		{Name: "pernode-v4", PerNode: true},
		{Name: "shared-dual", DualStack: true},
		{Name: "pernode-dual", PerNode: true, DualStack: true},
		{Name: "shared-v4-big", ForeignRecords: 20000},
	}
}

// PickScenarios returns the standard scenarios named, in the order given.
func PickScenarios(names []string) ([]Scenario, error) {
	all := StandardScenarios()
	out := make([]Scenario, 0, len(names))
	for _, n := range names {
		i := slices.IndexFunc(all, func(s Scenario) bool { return s.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("unknown scenario %q: want one of %s", n, strings.Join(scenarioNames(all), ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

func scenarioNames(ss []Scenario) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Name
	}
	return out
}

// Build is one build of the agent and of the plugin.
type Build struct {
	// Name labels the build in the results ("current", "baseline").
	Name string `json:"name"`
	// AgentBinary is the spiderpool-agent every node runs.
	AgentBinary string `json:"agentBinary"`
	// PluginBinary is the spiderpool CNI plugin the workers run.
	PluginBinary string `json:"pluginBinary"`
	// ClaimStorage runs the agents and the controllers with
	// SPIDERPOOL_CLAIM_STORAGE on (docs/ipam.md).
	ClaimStorage bool `json:"claimStorage,omitempty"`
	// AgentEnv adds environment variables (KEY=VALUE) to the agents of this
	// build only, e.g. GOMAXPROCS=1 to A/B a runtime setting with the same
	// binary in one lab.
	AgentEnv []string `json:"agentEnv,omitempty"`
}

// Options configure Run.
type Options struct {
	// Scenarios run one after the other in one lab, each from fresh pools.
	Scenarios []Scenario
	// Builds run every scenario, one after the other (the lab's agents are
	// restarted when the agent binary changes). At least one.
	Builds []Build
	// Pods is the number of pods, bound to the nodes round-robin.
	Pods int
	// Concurrency is the plugin calls in flight per node.
	Concurrency int
	// PhaseTimeout bounds each phase (ADD or DEL of all pods).
	PhaseTimeout time.Duration
	// Settle is how long to wait after creating the pods and pools, so
	// that every agent's cache holds them before the first ADD. Default 5s.
	Settle time.Duration
	// Progress receives one line per step; nil discards.
	Progress io.Writer
	// AfterRun, when set, is called with the results so far after each
	// scenario run, so that a run cut short keeps what it measured.
	AfterRun func(*Results)
}

func (o Options) validate(nodes int) error {
	switch {
	case len(o.Scenarios) == 0:
		return fmt.Errorf("contention options: no scenario")
	case len(o.Builds) == 0:
		return fmt.Errorf("contention options: no build: give the agent and plugin binaries")
	case o.Pods < nodes:
		return fmt.Errorf("contention options: %d pods for %d nodes: want at least one pod per node", o.Pods, nodes)
	case o.Pods > 40000:
		return fmt.Errorf("contention options: %d pods: want at most 40000 (the pools' address plan)", o.Pods)
	case o.Concurrency <= 0:
		return fmt.Errorf("contention options: concurrency %d: want at least 1 call in flight per node", o.Concurrency)
	}
	for _, b := range o.Builds {
		for _, kv := range b.AgentEnv {
			if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
				return fmt.Errorf("contention options: build %s: agent environment entry %q: want KEY=VALUE", b.Name, kv)
			}
		}
	}
	for _, s := range o.Scenarios {
		if s.ForeignRecords > 0 && (s.PerNode || s.ForeignRecords+o.Pods > bigPoolSize) {
			return fmt.Errorf("contention options: scenario %s: %d foreign records need a shared pool and at most %d records in all",
				s.Name, s.ForeignRecords, bigPoolSize)
		}
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if o.PhaseTimeout <= 0 {
		o.PhaseTimeout = 10 * time.Minute
	}
	if o.Settle <= 0 {
		o.Settle = 5 * time.Second
	}
	return o
}

// LabOptions returns base with what Run needs of the lab: passive nodes
// (their simulators run no pod: the harness calls the plugin), agents that
// accept pools of up to 65,533 records (the default cap is 5,000, and the
// big scenario's /16 holds 20,000 foreign ones), and a controller whose
// full GC scan runs once a day rather than every 10 minutes, so that no
// scan lands in a phase (it scans at start). Run switches the GC off
// altogether for a scenario with foreign records (setControllerGC).
func LabOptions(base lab.Options) lab.Options {
	base.PassiveNodes = true
	base.AgentEnv = append(base.AgentEnv, config.EnvIPPoolMaxAllocated+"="+strconv.Itoa(bigPoolSize))
	base.ControllerEnv = append(base.ControllerEnv, config.EnvGCDefaultIntervalDuration+"=86400")
	return base
}
