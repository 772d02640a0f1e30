// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spiderpool-go/spiderpool/test/bench"
)

// Results are what Run measured.
type Results struct {
	Started      time.Time `json:"started"`
	Nodes        int       `json:"nodes"`
	Pods         int       `json:"pods"`
	Concurrency  int       `json:"concurrencyPerNode"`
	CPUs         int       `json:"cpus"`
	LabUpSeconds float64   `json:"labUpSeconds"`
	Builds       []Build   `json:"builds"`
	// Runs are one per scenario and build, in the order run.
	Runs []RunResult `json:"runs"`
	// NotRun lists the scenario runs the time budget left out.
	NotRun []string `json:"notRun,omitempty"`
	// Error is why the run stopped early, if it did.
	Error string `json:"error,omitempty"`
}

// RunResult is one scenario with one build.
type RunResult struct {
	Build    string   `json:"build"`
	Scenario Scenario `json:"scenario"`
	// Pools is the number of pools of the scenario.
	Pools int `json:"pools"`
	// ControllerGC says whether the controller's IP GC ran (it is off with
	// foreign records, which it would free).
	ControllerGC bool `json:"controllerGC"`
	// AdoptionSeconds is how long the controller took to adopt the
	// foreign records and project them, before the phases (claims build).
	AdoptionSeconds float64 `json:"adoptionSeconds,omitempty"`
	// Phases are ADD and DEL.
	Phases []PhaseResult `json:"phases"`
	// Notes are anything else worth knowing (cleanup trouble, say).
	Notes []string `json:"notes,omitempty"`
}

// PhaseResult is what one phase (ADD or DEL of every pod) measured.
type PhaseResult struct {
	// Phase is ADD or DEL.
	Phase string `json:"phase"`
	// Calls is the plugin calls made; OK those that succeeded (and, for
	// ADD, returned an address of every family asked for).
	Calls int `json:"calls"`
	OK    int `json:"ok"`
	// Failures is Calls - OK; FirstErrors shows a few of their errors.
	Failures    int      `json:"failures"`
	FirstErrors []string `json:"firstErrors,omitempty"`
	// WallSeconds is from the first call's start to the last one's end;
	// OpsPerSecond is OK / WallSeconds.
	WallSeconds  float64 `json:"wallSeconds"`
	OpsPerSecond float64 `json:"opsPerSecond"`
	// Latency is the wall time of the successful plugin processes.
	Latency bench.Latency `json:"latency"`
	// API is the phase's requests at the API server; PerAllocation the
	// same divided by OK.
	API           APIFigures `json:"api"`
	PerAllocation APIFigures `json:"perAllocation"`
	// Requests are the phase's apiserver_request_total series of the
	// spiderpool group and of pods, by verb, resource and code.
	Requests []RequestDelta `json:"requests,omitempty"`
	// CPUSeconds is the CPU time each lab process used in the phase, by
	// its lab name; PluginCPUSeconds the plugin processes' (rusage).
	CPUSeconds       map[string]float64 `json:"cpuSeconds"`
	PluginCPUSeconds float64            `json:"pluginCpuSeconds"`
	// CPUPer1000 is CPU seconds per 1,000 successful calls: every lab
	// process, "agents" (all of them), and "plugin".
	CPUPer1000   map[string]float64 `json:"cpuSecondsPer1000"`
	LoadAvgStart float64            `json:"loadAvgStart"`
	LoadAvgEnd   float64            `json:"loadAvgEnd"`
	// ProjectionLagSeconds is, for the claims build, the time from the
	// phase's last call to the pools' status holding every claim (polled
	// every 200 ms).
	ProjectionLagSeconds float64 `json:"projectionLagSeconds,omitempty"`
	// Checks are the correctness checks after the phase.
	Checks Checks `json:"checks"`
	// Notes are anything else worth knowing (a failed metrics read, say).
	Notes []string `json:"notes,omitempty"`
}

// Checks say whether the phase did what it should.
type Checks struct {
	// Duplicates counts addresses returned to two pods (ADD).
	Duplicates int `json:"duplicates"`
	// Recorded is the pool records held for the scenario's pods after the
	// phase: one per family per successful ADD after ADD, 0 after DEL.
	Recorded int `json:"recorded"`
	// Foreign is the foreign records still in the pools (they must all stay).
	Foreign int `json:"foreign"`
}

// firstErrors is how many error texts a phase keeps.
const firstErrors = 5

// summarise turns a phase's outcomes and counters into its result.
func summarise(phase string, outs []outcome, wall time.Duration, before, after snapshot) PhaseResult {
	r := PhaseResult{Phase: phase, Calls: len(outs), WallSeconds: wall.Seconds(), CPUSeconds: map[string]float64{}, CPUPer1000: map[string]float64{}}
	var ms []float64
	var pluginCPU time.Duration
	for _, o := range outs {
		pluginCPU += o.CPU
		if o.Err != "" {
			if len(r.FirstErrors) < firstErrors {
				r.FirstErrors = append(r.FirstErrors, o.Err)
			}
			continue
		}
		ms = append(ms, float64(o.Wall.Microseconds())/1000)
	}
	r.OK, r.Failures = len(ms), len(outs)-len(ms)
	r.Latency = bench.LatencyOf(ms, r.Failures)
	if wall > 0 {
		r.OpsPerSecond = float64(r.OK) / wall.Seconds()
	}
	r.PluginCPUSeconds = pluginCPU.Seconds()
	for _, e := range []error{before.err, after.err} {
		if e != nil {
			r.Notes = append(r.Notes, "API metrics: "+e.Error())
		}
	}
	if before.err == nil && after.err == nil {
		d := after.requests.Sub(before.requests)
		r.API, r.Requests = apiFigures(d), requestDeltas(d)
		r.PerAllocation = r.API.per(r.OK)
	}
	for name, sec := range after.cpu {
		if b, ok := before.cpu[name]; ok {
			r.CPUSeconds[name] = sec - b
		}
	}
	r.fillCPUPer1000()
	return r
}

func (r *PhaseResult) fillCPUPer1000() {
	if r.OK == 0 {
		return
	}
	scale := 1000 / float64(r.OK)
	for name, sec := range r.CPUSeconds {
		r.CPUPer1000[name] = sec * scale
		if strings.HasPrefix(name, "agent-") {
			r.CPUPer1000["agents"] += sec * scale
		}
	}
	r.CPUPer1000["plugin"] = r.PluginCPUSeconds * scale
}

// WriteResults writes contention.json and contention.md into dir.
func WriteResults(dir string, res *Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("results dir: %w", err)
	}
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "contention.json"), append(data, '\n'), 0o644); err != nil { //nolint:gosec // results are for reading
		return fmt.Errorf("write contention.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "contention.md"), []byte(Markdown(res)), 0o644); err != nil { //nolint:gosec // results are for reading
		return fmt.Errorf("write contention.md: %w", err)
	}
	return nil
}
