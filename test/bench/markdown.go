// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Markdown renders res as the short report of results.md.
func Markdown(res *Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmark results\n\nRun %s UTC, %d CPUs", res.Started.Format("2006-01-02 15:04"), res.CPUs)
	if len(res.Scenarios) > 0 {
		fmt.Fprintf(&b, ", lab of %d nodes (up in %.0fs), load average %.2f at start, %.2f at end",
			res.Nodes, res.LabUpSeconds, res.LoadAvgStart, res.LoadAvgEnd)
	}
	if res.ClaimStorage {
		b.WriteString(", claim storage on (SPIDERPOOL_CLAIM_STORAGE; holders read from the SpiderIPClaims)")
	}
	b.WriteString(".\n")
	if len(res.NotRun) > 0 {
		fmt.Fprintf(&b, "\nNot run (the run's time budget was spent): %s.\n", strings.Join(res.NotRun, ", "))
	}
	for _, s := range res.Scenarios {
		writeScenario(&b, s)
	}
	writeAutoPoolRatio(&b, res.Scenarios)
	if len(res.Scenarios) > 0 {
		writeCPU(&b, res.Scenarios)
		writeProfiles(&b, res.Scenarios)
	}
	if len(res.Micro) > 0 {
		writeMicro(&b, res.Micro)
	}
	return b.String()
}

func writeScenario(b *strings.Builder, s ScenarioResult) {
	fmt.Fprintf(b, "\n## Scenario %s: %d Deployments x %d replicas (%d pods)\n\nPools %s.\n\n", s.Name, s.Deployments, s.Replicas, s.Pods(), s.PoolsNote)
	b.WriteString("| phase | wall s | CNI ADD p50/p95/p99 ms (ok, failed) | CNI DEL p50/p95/p99 ms (ok, failed) | API req / alloc | writes / alloc | 409 / alloc | duplicate IPs | record mismatches | leaked | sandbox failures | load avg |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, p := range s.Phases {
		wall := fmt.Sprintf("%.1f", p.WallSeconds)
		if p.Error != "" {
			wall += " (failed)"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %.2f | %.2f | %.3f | %d | %d | %d | %d | %.1f-%.1f |\n", p.Name, wall,
			latency(p.CNIAdd), latency(p.CNIDel), p.RequestsPerAllocation, p.WritesPerAllocation, p.ConflictsPerAllocation,
			p.DuplicateIPs, p.RecordMismatches, p.Leaked, sandboxFailureTotal(p.SandboxFailures), p.LoadAvgStart, p.LoadAvgEnd)
	}
	for _, p := range s.Phases {
		for _, n := range append(append(errNote(p.Error), p.Notes...), sandboxNotes(p.SandboxFailures)...) {
			fmt.Fprintf(b, "\n- %s: %s", p.Name, n)
		}
	}
	b.WriteString("\n")
}

// sandboxNotes lists sandbox failures by count, most frequent first.
func sandboxNotes(m map[string]int) []string {
	causes := slices.SortedFunc(maps.Keys(m), func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	out := make([]string, 0, len(causes))
	for _, c := range causes {
		out = append(out, fmt.Sprintf("sandbox failures: %d x %s", m[c], c))
	}
	return out
}

func errNote(e string) []string {
	if e == "" {
		return nil
	}
	return []string{e}
}

func latency(l Latency) string {
	if l.Count == 0 {
		return fmt.Sprintf("- (0, %d)", l.Failures)
	}
	return fmt.Sprintf("%.0f / %.0f / %.0f (%d, %d)", l.P50, l.P95, l.P99, l.Count, l.Failures)
}

// writeCPU tabulates the create phases' CPU seconds by process group.
func writeCPU(b *strings.Builder, scenarios []ScenarioResult) {
	groups := map[string]bool{}
	for _, s := range scenarios {
		for _, p := range s.Phases {
			for g := range p.CPUSeconds {
				groups[g] = true
			}
		}
	}
	names := slices.Sorted(maps.Keys(groups))
	b.WriteString("\n## CPU seconds by process during each phase\n\n| scenario / phase | " + strings.Join(names, " | ") + " |\n|---|")
	b.WriteString(strings.Repeat("---|", len(names)) + "\n")
	for _, s := range scenarios {
		for _, p := range s.Phases {
			fmt.Fprintf(b, "| %s / %s |", s.Name, p.Name)
			for _, g := range names {
				fmt.Fprintf(b, " %.1f |", p.CPUSeconds[g])
			}
			b.WriteString("\n")
		}
	}
}

func writeMicro(b *strings.Builder, micro []MicroResult) {
	b.WriteString("\n## Go microbenchmarks\n\n| benchmark | ns/op | B/op | allocs/op | other |\n|---|---|---|---|---|\n")
	for _, m := range micro {
		var other []string
		for _, u := range slices.Sorted(maps.Keys(m.Metrics)) {
			if u != "ns/op" && u != "B/op" && u != "allocs/op" {
				other = append(other, fmt.Sprintf("%.4g %s", m.Metrics[u], u))
			}
		}
		fmt.Fprintf(b, "| %s | %.4g | %.4g | %.4g | %s |\n", m.Name, m.Metrics["ns/op"], m.Metrics["B/op"], m.Metrics["allocs/op"], strings.Join(other, ", "))
	}
}

// writeAutoPoolRatio compares the autopool scenario with the plenty one
// (the same pods and address space, named pools) phase by phase.
func writeAutoPoolRatio(b *strings.Builder, scenarios []ScenarioResult) {
	find := func(name string) *ScenarioResult {
		i := slices.IndexFunc(scenarios, func(s ScenarioResult) bool { return s.Name == name })
		if i < 0 {
			return nil
		}
		return &scenarios[i]
	}
	auto, named := find("autopool"), find("plenty")
	if auto == nil || named == nil {
		return
	}
	b.WriteString("\n## Auto pools against named pools (autopool / plenty)\n\n")
	b.WriteString("| phase | wall s autopool | wall s plenty | ratio | CNI ADD p99 ratio |\n|---|---|---|---|---|\n")
	for _, a := range auto.Phases {
		i := slices.IndexFunc(named.Phases, func(p PhaseResult) bool { return p.Name == a.Name })
		if i < 0 {
			continue
		}
		n := named.Phases[i]
		fmt.Fprintf(b, "| %s | %.1f | %.1f | %s | %s |\n", a.Name, a.WallSeconds, n.WallSeconds,
			ratio(a.WallSeconds, n.WallSeconds), ratio(a.CNIAdd.P99, n.CNIAdd.P99))
	}
}

// ratio is a/b with two decimals, or "-" when b is 0.
func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}
