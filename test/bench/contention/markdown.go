// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"fmt"
	"slices"
	"strings"
)

// Markdown renders the results as short tables: one row per build,
// scenario and phase, then the CPU of each agent, then the errors.
func Markdown(res *Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Plugin-direct contention (%s)\n\n", res.Started.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "%d nodes, %d pods, %d plugin calls in flight per node, %d CPUs, lab up in %.1f s.\n\n",
		res.Nodes, res.Pods, res.Concurrency, res.CPUs, res.LabUpSeconds)
	for _, bl := range res.Builds {
		fmt.Fprintf(&b, "- build `%s`: agent `%s`, plugin `%s`", bl.Name, bl.AgentBinary, bl.PluginBinary)
		if len(bl.AgentEnv) > 0 {
			fmt.Fprintf(&b, ", agents' environment adds `%s`", strings.Join(bl.AgentEnv, " "))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n| build | scenario | phase | ok / calls | ops/s | p50 / p95 / p99 ms | pool writes / alloc | 409 / alloc " +
		"| claim writes / 409 per alloc | endpoint writes / alloc | GETs / alloc | API requests / alloc " +
		"| CPU s / 1,000: agents, apiserver, etcd, controller, plugin | records / foreign / duplicates |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range res.Runs {
		name := r.Scenario.Name
		if !r.ControllerGC {
			name += " (GC off)"
		}
		for _, p := range r.Phases {
			a := p.PerAllocation
			c := p.CPUPer1000
			fmt.Fprintf(&b, "| %s | %s | %s | %d / %d | %.1f | %.0f / %.0f / %.0f | %.2f | %.2f | %.2f / %.2f | %.2f | %.2f | %.2f | %.2f, %.2f, %.2f, %.2f, %.2f | %d / %d / %d |\n",
				r.Build, name, p.Phase, p.OK, p.Calls, p.OpsPerSecond, p.Latency.P50, p.Latency.P95, p.Latency.P99,
				a.PoolWrites, a.PoolConflicts, a.ClaimWrites, a.ClaimConflicts, a.EndpointCreates+a.EndpointWrites, a.Gets, a.Requests,
				c["agents"], c["kube-apiserver"], c["etcd"], c["controller-0"], c["plugin"],
				p.Checks.Recorded, p.Checks.Foreign, p.Checks.Duplicates)
		}
	}
	writeClaimFigures(&b, res)
	writeAgentCPU(&b, res)
	writeErrors(&b, res)
	if len(res.NotRun) > 0 {
		fmt.Fprintf(&b, "\nNot run (time budget): %s\n", strings.Join(res.NotRun, ", "))
	}
	if res.Error != "" {
		fmt.Fprintf(&b, "\nStopped early: %s\n", res.Error)
	}
	return b.String()
}

// writeClaimFigures lists the projection lag after each phase and the
// adoption time of the claims build.
func writeClaimFigures(b *strings.Builder, res *Results) {
	first := true
	for _, r := range res.Runs {
		if r.Build != "claims" {
			continue
		}
		if first {
			b.WriteString("\nClaims build: projection lag after each phase (last call to status caught up), adoption of foreign records:\n\n")
			first = false
		}
		lags := make([]string, 0, len(r.Phases))
		for _, p := range r.Phases {
			lags = append(lags, fmt.Sprintf("%s %.1f s", p.Phase, p.ProjectionLagSeconds))
		}
		fmt.Fprintf(b, "- %s: %s", r.Scenario.Name, strings.Join(lags, ", "))
		if r.AdoptionSeconds > 0 {
			fmt.Fprintf(b, "; adoption %.1f s", r.AdoptionSeconds)
		}
		b.WriteString("\n")
	}
}

// writeAgentCPU is a table of each agent's CPU seconds per 1,000 calls.
func writeAgentCPU(b *strings.Builder, res *Results) {
	var agents []string
	for _, r := range res.Runs {
		for _, p := range r.Phases {
			for name := range p.CPUPer1000 {
				if strings.HasPrefix(name, "agent-") && !slices.Contains(agents, name) {
					agents = append(agents, name)
				}
			}
		}
	}
	if len(agents) == 0 {
		return
	}
	slices.SortFunc(agents, func(x, y string) int { return cmpNatural(x, y) })
	fmt.Fprintf(b, "\nCPU seconds per 1,000 calls of each agent:\n\n| build | scenario | phase | %s |\n|---|---|---|%s\n",
		strings.Join(agents, " | "), strings.Repeat("---|", len(agents)))
	for _, r := range res.Runs {
		for _, p := range r.Phases {
			cells := make([]string, len(agents))
			for i, a := range agents {
				cells[i] = fmt.Sprintf("%.2f", p.CPUPer1000[a])
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", r.Build, r.Scenario.Name, p.Phase, strings.Join(cells, " | "))
		}
	}
}

// cmpNatural orders names ending in numbers by those numbers (node-2 before node-10).
func cmpNatural(x, y string) int {
	if len(x) != len(y) {
		return len(x) - len(y)
	}
	return strings.Compare(x, y)
}

// writeErrors lists the first errors and notes of every phase that has any.
func writeErrors(b *strings.Builder, res *Results) {
	first := true
	for _, r := range res.Runs {
		var lines []string
		for _, n := range r.Notes {
			lines = append(lines, "note: "+n)
		}
		for _, p := range r.Phases {
			for _, e := range p.FirstErrors {
				lines = append(lines, fmt.Sprintf("%s (%d failed): %s", p.Phase, p.Failures, e))
			}
			for _, n := range p.Notes {
				lines = append(lines, p.Phase+" note: "+n)
			}
		}
		if len(lines) == 0 {
			continue
		}
		if first {
			b.WriteString("\nFailures and notes:\n\n")
			first = false
		}
		for _, l := range lines {
			fmt.Fprintf(b, "- %s / %s: %s\n", r.Build, r.Scenario.Name, strings.ReplaceAll(l, "\n", " "))
		}
	}
}
