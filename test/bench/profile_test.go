// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// cpuProfile builds a CPU profile whose samples have the given stacks
// (leaf first) and nanosecond values.
func cpuProfile(t *testing.T, stacks [][]string, values []int64) []byte {
	t.Helper()
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"}, Period: 10_000_000,
	}
	fns := map[string]*profile.Location{}
	for i, stack := range stacks {
		s := &profile.Sample{Value: []int64{1, values[i]}}
		for _, name := range stack {
			loc, ok := fns[name]
			if !ok {
				fn := &profile.Function{ID: uint64(len(fns) + 1), Name: name}
				loc = &profile.Location{ID: fn.ID, Line: []profile.Line{{Function: fn}}}
				fns[name] = loc
				p.Function = append(p.Function, fn)
				p.Location = append(p.Location, loc)
			}
			s.Location = append(s.Location, loc)
		}
		p.Sample = append(p.Sample, s)
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestProfileSummary(t *testing.T) {
	data := cpuProfile(t, [][]string{
		{"json.Unmarshal", "informer.watch", "main"},
		{"json.Unmarshal", "informer.watch", "main"},
		{"runtime.mallocgc", "json.Unmarshal", "informer.watch", "main"},
		{"syscall.write", "main"},
		// recursion counts once towards cum
		{"f", "f", "main"},
	}, []int64{2e9, 1e9, 1e9, 1e9, 5e9})
	var p Profile
	if err := p.summarise(data); err != nil {
		t.Fatal(err)
	}
	if p.CPUSeconds != 10 {
		t.Fatalf("CPUSeconds = %v, want 10", p.CPUSeconds)
	}
	want := map[string]float64{"f": 5, "json.Unmarshal": 3, "runtime.mallocgc": 1, "syscall.write": 1}
	for _, f := range p.Flat {
		if want[f.Func] != f.Seconds {
			t.Errorf("flat %s = %v s, want %v", f.Func, f.Seconds, want[f.Func])
		}
	}
	if p.Flat[0].Func != "f" || p.Flat[0].Percent != 50 {
		t.Errorf("top flat = %+v, want f at 50%%", p.Flat[0])
	}
	cum := map[string]float64{}
	for _, f := range p.Cum {
		cum[f.Func] = f.Seconds
	}
	if cum["main"] != 10 || cum["json.Unmarshal"] != 4 || cum["informer.watch"] != 4 || cum["f"] != 5 {
		t.Errorf("cum = %v", cum)
	}
	var b strings.Builder
	writeProfiles(&b, []ScenarioResult{{Profiles: []Profile{p, {Process: "agent", Phase: "x-create", Error: "gone"}}}})
	for _, s := range []string{"| 1 | `f` | 5.00 | 50.0 | `main` | 10.00 | 100.0 |", "Not taken: gone"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("markdown lacks %q:\n%s", s, b.String())
		}
	}
}

func TestProfileSummaryRejectsNonCPU(t *testing.T) {
	var p Profile
	if err := p.summarise([]byte("not a profile")); err == nil {
		t.Fatal("want an error for garbage")
	}
}

func TestProfileFileName(t *testing.T) {
	if got := fileName("exact-create-spiderpool-agent (bench-node-1).pprof"); got != "profiles/exact-create-spiderpool-agent-bench-node-1.pprof" {
		t.Fatalf("fileName = %q", got)
	}
}
