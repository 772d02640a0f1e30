// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"fmt"
	"io"
	"time"
)

// Pools say how the scenario's two pools are sized.
type Pools string

// The pool sizings of Spiderpool's benchmark.
const (
	// PoolsExact gives each pool exactly as many addresses as pods.
	PoolsExact Pools = "1:1"
	// PoolsPlenty gives each pool 65,533 addresses.
	PoolsPlenty Pools = "plenty"
	// PoolsSubnet gives each Deployment its own auto pools, created from an
	// IPv4 and an IPv6 SpiderSubnet of 65,533 addresses each.
	PoolsSubnet Pools = "subnet"
)

// Scenario is one run of the three phases.
type Scenario struct {
	// Name labels the scenario in the results.
	Name string `json:"name"`
	// Deployments and Replicas (per Deployment) give the pod count.
	Deployments int `json:"deployments"`
	Replicas    int `json:"replicas"`
	// Pools sizes the IPv4 and IPv6 pool every Deployment names.
	Pools Pools `json:"pools"`
}

// Pods is the scenario's pod count.
func (s Scenario) Pods() int { return s.Deployments * s.Replicas }

// StandardScenarios are Spiderpool's: deployments x replicas with 1:1 and
// plenty pools, the single-Deployment variant with 1:1 pools, and the
// plenty scenario again with auto pools from SpiderSubnets instead of
// named pools.
func StandardScenarios(deployments, replicas int) []Scenario {
	n := deployments * replicas
	return []Scenario{
		{Name: "exact", Deployments: deployments, Replicas: replicas, Pools: PoolsExact},
		{Name: "plenty", Deployments: deployments, Replicas: replicas, Pools: PoolsPlenty},
		{Name: "single", Deployments: 1, Replicas: n, Pools: PoolsExact},
		{Name: "autopool", Deployments: deployments, Replicas: replicas, Pools: PoolsSubnet},
	}
}

// Options configure Run.
type Options struct {
	// Scenarios run in order in one lab.
	Scenarios []Scenario
	// PhaseTimeout bounds each phase; a phase that times out is recorded
	// as such and the scenario goes on to its next phase.
	PhaseTimeout time.Duration
	// Progress receives one line every few seconds.
	Progress io.Writer
	// Namespace prefixes the scenarios' namespaces.
	Namespace string
	// AfterScenario, when set, is called with the results so far after
	// each scenario, so that a run cut short keeps what it measured.
	AfterScenario func(*Results)
	// Phases, when set, runs only these of create, re-create and delete
	// (for quick comparisons; create is needed by the others).
	Phases []string
	// ProfileDir, when set, is where the first scenario's create phase
	// writes CPU profiles of the API server, one agent and the controller,
	// taken ProfileDelay into the phase (default 20s) for 30s.
	ProfileDir   string
	ProfileDelay time.Duration
	// ClaimStorage says the lab's agents and controllers run with
	// SPIDERPOOL_CLAIM_STORAGE on: the checks then read who holds an
	// address from the SpiderIPClaims, the truth there, rather than from
	// the pools' records, a projection that lags.
	ClaimStorage bool
}

func (o Options) validate() error {
	if len(o.Scenarios) == 0 {
		return fmt.Errorf("bench options: no scenario")
	}
	for _, s := range o.Scenarios {
		if s.Pods() <= 0 || s.Pods() > 60000 {
			return fmt.Errorf("bench options: scenario %s has %d pods; want 1..60000", s.Name, s.Pods())
		}
	}
	return nil
}
