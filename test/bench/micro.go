// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MicroResult is one line of `go test -bench` output.
type MicroResult struct {
	// Name is the benchmark's name without the -GOMAXPROCS suffix.
	Name string `json:"name"`
	// Iterations is b.N.
	Iterations int64 `json:"iterations"`
	// Metrics maps each unit (ns/op, B/op, allocs/op, custom ones) to
	// its value.
	Metrics map[string]float64 `json:"metrics"`
}

// ParseMicro reads the benchmark lines of `go test -bench` output; other
// lines (PASS, ok, goos, logs) are skipped.
func ParseMicro(r io.Reader) ([]MicroResult, error) {
	var out []MicroResult
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if m, ok := parseMicroLine(sc.Text()); ok {
			out = append(out, m)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read benchmark output: %w", err)
	}
	return out, nil
}

// parseMicroLine parses "BenchmarkX-8  100  123 ns/op  4 B/op ...".
func parseMicroLine(line string) (MicroResult, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 || !strings.HasPrefix(f[0], "Benchmark") {
		return MicroResult{}, false
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return MicroResult{}, false
	}
	name := f[0]
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	m := MicroResult{Name: name, Iterations: n, Metrics: map[string]float64{}}
	for i := 2; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return MicroResult{}, false
		}
		m.Metrics[f[i+1]] = v
	}
	return m, true
}
