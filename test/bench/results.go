// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Results are everything one run measured; results.json holds them.
type Results struct {
	// Started is when the run began (UTC).
	Started time.Time `json:"started"`
	// Nodes is the lab's node count.
	Nodes int `json:"nodes"`
	// ClaimStorage says the run had SPIDERPOOL_CLAIM_STORAGE on.
	ClaimStorage bool `json:"claimStorage,omitempty"`
	// CPUs is the machine's CPU count.
	CPUs int `json:"cpus"`
	// LoadAvgStart and LoadAvgEnd are the 1-minute load averages around
	// the whole run.
	LoadAvgStart float64 `json:"loadAvgStart"`
	LoadAvgEnd   float64 `json:"loadAvgEnd"`
	// LabUpSeconds is how long the lab took to come up.
	LabUpSeconds float64 `json:"labUpSeconds"`
	// Scenarios are the lab replays in the order run.
	Scenarios []ScenarioResult `json:"scenarios"`
	// NotRun names the scenarios the run's time budget left no time for.
	NotRun []string `json:"notRun,omitempty"`
	// Micro are the Go microbenchmarks, when their output was given.
	Micro []MicroResult `json:"micro,omitempty"`
}

// ScenarioResult is one scenario's three phases.
type ScenarioResult struct {
	Scenario
	// PoolsNote says how the pools were laid out.
	PoolsNote string `json:"poolsNote"`
	// Phases are create, re-create and delete.
	Phases []PhaseResult `json:"phases"`
	// Profiles are CPU profiles taken during the create phase, if asked.
	Profiles []Profile `json:"profiles,omitempty"`
}

// PhaseResult is what one phase measured.
type PhaseResult struct {
	// Name is create, re-create or delete.
	Name string `json:"name"`
	// Pods is the scenario's pod count (the allocations of the phase).
	Pods int `json:"pods"`
	// WallSeconds is from the phase's first request until its end
	// condition held (or it timed out).
	WallSeconds float64 `json:"wallSeconds"`
	// TimedOut and Error say how the phase failed, if it did.
	TimedOut bool   `json:"timedOut,omitempty"`
	Error    string `json:"error,omitempty"`
	// CNIAdd and CNIDel are the plugin's command durations in the phase.
	CNIAdd Latency `json:"cniAdd"`
	CNIDel Latency `json:"cniDel"`
	// API is the phase's spiderpool.spidernet.io requests at the API server.
	API APICounts `json:"api"`
	// RequestsPerAllocation, WritesPerAllocation and
	// ConflictsPerAllocation divide API by Pods.
	RequestsPerAllocation  float64 `json:"requestsPerAllocation"`
	WritesPerAllocation    float64 `json:"writesPerAllocation"`
	ConflictsPerAllocation float64 `json:"conflictsPerAllocation"`
	// DuplicateIPs counts addresses seen on two live pods at once, from
	// the pod watch; DuplicateExamples shows a few.
	DuplicateIPs      int      `json:"duplicateIPs"`
	DuplicateExamples []string `json:"duplicateExamples,omitempty"`
	// RecordMismatches counts running pods' addresses not recorded for
	// them in the pools (create and re-create).
	RecordMismatches int `json:"recordMismatches"`
	// Leaked is the pool records plus SpiderEndpoints left after delete.
	Leaked int `json:"leaked"`
	// SandboxFailures counts the phase's FailedCreatePodSandBox and
	// FailedKillPod events of the scenario's pods by reason and cause
	// (addresses masked): failures the CNI plugin log does not show when
	// the IPAM call succeeded and a later step of the sandbox failed.
	SandboxFailures map[string]int `json:"sandboxFailures,omitempty"`
	// CPUSeconds is CPU time by lab process group during the phase.
	CPUSeconds map[string]float64 `json:"cpuSeconds"`
	// LoadAvgStart and LoadAvgEnd are the 1-minute load averages.
	LoadAvgStart float64 `json:"loadAvgStart"`
	LoadAvgEnd   float64 `json:"loadAvgEnd"`
	// Notes are anything else worth knowing (failed reads, mismatches).
	Notes []string `json:"notes,omitempty"`
}

// WriteResults writes results.json and results.md into dir.
func WriteResults(dir string, res *Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("results dir: %w", err)
	}
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(data, '\n'), 0o644); err != nil { //nolint:gosec // results are for reading
		return fmt.Errorf("write results.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.md"), []byte(Markdown(res)), 0o644); err != nil { //nolint:gosec // results are for reading
		return fmt.Errorf("write results.md: %w", err)
	}
	return nil
}
