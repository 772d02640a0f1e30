// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/pprof/profile"
	"k8s.io/client-go/rest"

	"github.com/spiderpool-go/spiderpool/internal/debugserver"
)

// profileTopN is how many functions a profile summary lists.
const profileTopN = 15

// Profile is one process's CPU profile, taken during a phase.
type Profile struct {
	// Process names the profiled process.
	Process string `json:"process"`
	// Phase is the scenario and phase it was taken in.
	Phase string `json:"phase"`
	// File is the pprof file, relative to the results directory
	// (`go tool pprof -top <file>` reads it).
	File string `json:"file,omitempty"`
	// WallSeconds is how long it sampled; CPUSeconds is the CPU time the
	// samples add up to.
	WallSeconds float64 `json:"wallSeconds"`
	CPUSeconds  float64 `json:"cpuSeconds"`
	// Flat and Cum are the functions with the most CPU of their own and
	// with their callees, as shares of CPUSeconds.
	Flat []FuncShare `json:"flat,omitempty"`
	Cum  []FuncShare `json:"cum,omitempty"`
	// Error says why the profile is missing.
	Error string `json:"error,omitempty"`
}

// FuncShare is one function's share of a profile.
type FuncShare struct {
	Func    string  `json:"func"`
	Seconds float64 `json:"seconds"`
	Percent float64 `json:"percent"`
}

// profileTarget is a process the benchmark can profile.
type profileTarget struct {
	name  string
	fetch func(ctx context.Context) ([]byte, error)
}

// profileTargets are the API server (its /debug/pprof, on by default),
// the first node's agent and the first controller replica (gops).
func profileTargets(env Env) []profileTarget {
	ts := []profileTarget{{name: "kube-apiserver", fetch: func(ctx context.Context) ([]byte, error) {
		return apiServerProfile(ctx, env.Config, debugserver.CPUProfileDuration)
	}}}
	if len(env.Lab.Nodes) > 0 && env.Lab.Nodes[0].AgentGopsPort > 0 {
		ts = append(ts, gopsTarget("spiderpool-agent ("+env.Lab.Nodes[0].Name+")", env.Lab.Nodes[0].AgentGopsPort))
	}
	if len(env.Lab.Controllers) > 0 && env.Lab.Controllers[0].Gops > 0 {
		ts = append(ts, gopsTarget("spiderpool-controller", env.Lab.Controllers[0].Gops))
	}
	return ts
}

func gopsTarget(name string, port int) profileTarget {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	return profileTarget{name: name, fetch: func(ctx context.Context) ([]byte, error) {
		return debugserver.CPUProfile(ctx, addr)
	}}
}

func apiServerProfile(ctx context.Context, cfg *rest.Config, d time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	data, err := adminGet(ctx, cfg, "/debug/pprof/profile?seconds="+strconv.Itoa(int(d.Seconds())))
	if err != nil {
		return nil, fmt.Errorf("API server profile: %w", err)
	}
	return data, nil
}

// profileAll profiles every target at once, starting after delay unless
// phaseDone closes first, writes the files into dir and returns the
// summaries. It runs in the background of a phase; the returned function
// waits for it.
func profileAll(ctx context.Context, targets []profileTarget, dir, label string, delay time.Duration, phaseDone <-chan struct{}) func() []Profile {
	out := make([]Profile, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			select {
			case <-phaseDone:
				out[i] = Profile{Process: t.name, Phase: label, Error: "phase ended before the profile started"}
				return
			case <-time.After(delay):
			}
			out[i] = takeProfile(ctx, t, dir, label)
		})
	}
	return func() []Profile { wg.Wait(); return out }
}

func takeProfile(ctx context.Context, t profileTarget, dir, label string) Profile {
	p := Profile{Process: t.name, Phase: label}
	start := time.Now()
	data, err := t.fetch(ctx)
	p.WallSeconds = time.Since(start).Seconds()
	if err == nil {
		p.File = fileName(label + "-" + t.name + ".pprof")
		err = writeProfile(dir, p.File, data)
	}
	if err == nil {
		err = p.summarise(data)
	}
	if err != nil {
		p.Error = err.Error()
	}
	return p
}

func writeProfile(dir, name string, data []byte) error {
	if err := os.MkdirAll(filepath.Join(dir, "profiles"), 0o755); err != nil {
		return fmt.Errorf("profiles dir: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil { //nolint:gosec // results are for reading
		return fmt.Errorf("write profile: %w", err)
	}
	return nil
}

// fileName keeps letters, digits and dots, with one dash for each run of
// anything else, under profiles/.
func fileName(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' {
			b.WriteRune(c)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return filepath.Join("profiles", strings.ReplaceAll(b.String(), "-.", "."))
}

// summarise fills CPUSeconds, Flat and Cum from a pprof CPU profile.
func (p *Profile) summarise(data []byte) error {
	prof, err := profile.Parse(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("parse profile: %w", err)
	}
	idx := slices.IndexFunc(prof.SampleType, func(st *profile.ValueType) bool { return st.Type == "cpu" })
	if idx < 0 {
		return fmt.Errorf("parse profile: no cpu sample type")
	}
	flat, cum := map[string]int64{}, map[string]int64{}
	var total int64
	for _, s := range prof.Sample {
		v := s.Value[idx]
		total += v
		seen := map[string]bool{}
		for i, loc := range s.Location {
			for j, line := range loc.Line {
				name := line.Function.Name
				if i == 0 && j == 0 {
					flat[name] += v
				}
				if !seen[name] {
					seen[name] = true
					cum[name] += v
				}
			}
		}
	}
	p.CPUSeconds = float64(total) / 1e9
	p.Flat, p.Cum = topShares(flat, total), topShares(cum, total)
	return nil
}

func topShares(m map[string]int64, total int64) []FuncShare {
	out := make([]FuncShare, 0, len(m))
	for name, v := range m {
		out = append(out, FuncShare{Func: name, Seconds: float64(v) / 1e9, Percent: 100 * float64(v) / float64(max(total, 1))})
	}
	slices.SortFunc(out, func(a, b FuncShare) int {
		return cmp.Or(cmp.Compare(b.Seconds, a.Seconds), cmp.Compare(a.Func, b.Func))
	})
	return out[:min(len(out), profileTopN)]
}

// startProfiles starts profiling the lab's processes for phase, if on and
// asked for, and returns the function that ends the phase for them and
// waits: profiles already running finish, those still waiting for their
// delay are dropped.
func (r *scenarioRun) startProfiles(ctx context.Context, on bool, phase string) func() []Profile {
	if !on || r.opts.ProfileDir == "" {
		return func() []Profile { return nil }
	}
	delay := cmp.Or(r.opts.ProfileDelay, 20*time.Second)
	targets := profileTargets(r.env)
	r.progress("scenario %s: CPU profiles of %d processes from %s into phase %s, for %s", r.s.Name,
		len(targets), delay, phase, debugserver.CPUProfileDuration)
	done := make(chan struct{})
	wait := profileAll(context.WithoutCancel(ctx), targets, r.opts.ProfileDir, r.s.Name+"-"+phase, delay, done)
	return func() []Profile {
		close(done)
		return wait()
	}
}

// writeProfiles renders the profiles' top functions.
func writeProfiles(b *strings.Builder, scenarios []ScenarioResult) {
	for _, s := range scenarios {
		for _, p := range s.Profiles {
			fmt.Fprintf(b, "\n## CPU profile: %s, %s\n\n", p.Process, p.Phase)
			if p.Error != "" {
				fmt.Fprintf(b, "Not taken: %s\n", p.Error)
				continue
			}
			fmt.Fprintf(b, "%.1f CPU s in %.0f s of sampling (`go tool pprof -top %s`).\n\n", p.CPUSeconds, p.WallSeconds, p.File)
			b.WriteString("| # | flat: function | s | % | cum: function | s | % |\n|---|---|---|---|---|---|---|\n")
			for i := range max(len(p.Flat), len(p.Cum)) {
				fmt.Fprintf(b, "| %d | %s | %s |\n", i+1, shareCells(p.Flat, i), shareCells(p.Cum, i))
			}
		}
	}
}

func shareCells(fs []FuncShare, i int) string {
	if i >= len(fs) {
		return " | | "
	}
	return fmt.Sprintf("`%s` | %.2f | %.1f", fs[i].Func, fs[i].Seconds, fs[i].Percent)
}
