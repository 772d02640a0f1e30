// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Result is the record of one run, written as JSON.
type Result struct {
	Seed             int64          `json:"seed"`
	Nodes            int            `json:"nodes"`
	Pods             int            `json:"pods"`
	Duration         string         `json:"duration"`
	ClaimStorage     bool           `json:"claimStorage,omitempty"`
	Started          time.Time      `json:"started"`
	RampUp           string         `json:"rampUp"`
	RampProblems     []string       `json:"rampProblems,omitempty"`
	Faults           map[Kind]int   `json:"faults"`
	FaultsSkipped    map[Kind]int   `json:"faultsSkipped,omitempty"`
	FaultErrors      []string       `json:"faultErrors,omitempty"`
	SelfExits        map[string]int `json:"selfExits,omitempty"`
	Churn            map[string]int `json:"churn"`
	Allocations      int            `json:"allocations"`
	Releases         int            `json:"releases"`
	Samples          int            `json:"samples"`
	Suspects         int            `json:"suspects"`
	Findings         []string       `json:"findings,omitempty"`
	WorstOrphanLife  string         `json:"worstOrphanLife"`
	WorstFaultToFree string         `json:"worstFaultToFree"`
	// WorstOrphan names the record behind WorstOrphanLife and the faults
	// around it.
	WorstOrphan string `json:"worstOrphan,omitempty"`
	// WorstStatefulSetRetained is the longest a StatefulSet pod's record
	// waited for its successor (or for the ordinal to be unwanted).
	WorstStatefulSetRetained string   `json:"worstStatefulSetRetained"`
	Settle                   string   `json:"settle"`
	Problems                 []string `json:"problems,omitempty"`
	CheckExit                int      `json:"checkExit"`
	CheckOutput              string   `json:"checkOutput,omitempty"`
	Pass                     bool     `json:"pass"`
}

func (r *Result) fill(s Stats, in *Injector, churn map[string]int, exits map[string]int) {
	r.Faults, r.FaultsSkipped, r.FaultErrors = in.Counts()
	in.mu.Lock()
	r.SelfExits = map[string]int{}
	for k, v := range exits {
		r.SelfExits[k] = v
	}
	in.mu.Unlock()
	r.Churn, r.Allocations, r.Releases, r.Samples, r.Suspects = churn, s.Allocations, s.Releases, s.Samples, s.Suspects
	r.Findings = s.Findings
	r.WorstOrphanLife, r.WorstFaultToFree = s.WorstOrphanLife.Round(time.Second).String(), s.WorstFaultToFree.Round(time.Second).String()
	r.WorstStatefulSetRetained = s.WorstStatefulSetRetained.Round(time.Second).String()
	r.WorstOrphan = s.WorstOrphan
	r.Pass = len(r.Findings) == 0 && len(r.Problems) == 0 && r.CheckExit == 0
}

// Summary is one line for the test log.
func (r *Result) Summary() string {
	return fmt.Sprintf("seed=%d nodes=%d pods=%d duration=%s pass=%v faults=%v allocations=%d releases=%d findings=%d problems=%d check=%d worstFaultToFree=%s",
		r.Seed, r.Nodes, r.Pods, r.Duration, r.Pass, r.Faults, r.Allocations, r.Releases, len(r.Findings), len(r.Problems), r.CheckExit, r.WorstFaultToFree)
}

// Write saves r as dir/run-<seed>.json and appends its row to dir/summary.md.
func (r *Result) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("chaos results dir: %w", err)
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode chaos result: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("run-%d.json", r.Seed)), data, 0o644); err != nil {
		return fmt.Errorf("write chaos result: %w", err)
	}
	path := filepath.Join(dir, "summary.md")
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if statErr != nil {
		_, _ = fmt.Fprintln(f, "| seed | nodes | pods | duration | faults by kind | allocations | releases | findings | leaks | check | worst fault→free | pass |")
		_, _ = fmt.Fprintln(f, "|---|---|---|---|---|---|---|---|---|---|---|---|")
	}
	_, werr := fmt.Fprintf(f, "| %d | %d | %d | %s | %s | %d | %d | %d | %d | %d | %s | %v |\n", r.Seed, r.Nodes, r.Pods, r.Duration,
		kinds(r.Faults), r.Allocations, r.Releases, len(r.Findings), len(r.Problems), r.CheckExit, r.WorstFaultToFree, r.Pass)
	if err := f.Close(); err != nil || werr != nil {
		return fmt.Errorf("write %s: %w", path, errors.Join(werr, err))
	}
	return nil
}

func kinds(m map[Kind]int) string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
