// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"time"

	"github.com/spiderpool-go/spiderpool/internal/cni/ipamplugin"
)

// Latency summarises CNI command durations in milliseconds, from the
// plugin's view.
type Latency struct {
	// Count is the commands that succeeded; Failures those that did not
	// (an ADD refused while a 1:1 pool is full is retried by the node).
	Count    int     `json:"count"`
	Failures int     `json:"failures"`
	P50      float64 `json:"p50Ms"`
	P95      float64 `json:"p95Ms"`
	P99      float64 `json:"p99Ms"`
	Max      float64 `json:"maxMs"`
}

// readTimings reads the timing lines of the plugin log files; a missing
// file has none.
func readTimings(paths []string) ([]ipamplugin.TimingLine, error) {
	var out []ipamplugin.TimingLine
	for _, p := range paths {
		f, err := os.Open(p) //nolint:gosec // the lab's own log files
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("open CNI log: %w", err)
		}
		lines, err := ParseTimings(f)
		_ = f.Close() // read-only
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		out = append(out, lines...)
	}
	return out, nil
}

// ParseTimings reads the plugin's timing lines from a log; other lines
// are skipped.
func ParseTimings(r io.Reader) ([]ipamplugin.TimingLine, error) {
	var out []ipamplugin.TimingLine
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var l ipamplugin.TimingLine
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.Msg != ipamplugin.TimingMessage {
			continue
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read CNI log: %w", err)
	}
	return out, nil
}

// summarise returns the latency of command lines that ended in [from, to).
func summarise(lines []ipamplugin.TimingLine, command string, from, to time.Time) Latency {
	var ms []float64
	failures := 0
	for _, line := range lines {
		if line.Command != command || line.Time.Before(from) || !line.Time.Before(to) {
			continue
		}
		if line.Error != "" {
			failures++
			continue
		}
		ms = append(ms, line.DurationMs)
	}
	return LatencyOf(ms, failures)
}

// percentile is the nearest-rank percentile of sorted, non-empty ms.
func percentile(sorted []float64, p float64) float64 {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}
