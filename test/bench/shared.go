// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"

	"k8s.io/client-go/rest"
)

// What other lab benchmarks (test/bench/contention) reuse of this package:
// latency percentiles, CPU time of a process, the load average and the API
// server's request counters.

// LatencyOf summarises the durations (milliseconds) of the commands that
// succeeded, with failures counted apart; ms is sorted in place.
func LatencyOf(ms []float64, failures int) Latency {
	slices.Sort(ms)
	l := Latency{Count: len(ms), Failures: failures}
	if len(ms) > 0 {
		l.P50, l.P95, l.P99, l.Max = percentile(ms, 50), percentile(ms, 95), percentile(ms, 99), ms[len(ms)-1]
	}
	return l
}

// ProcessCPU returns the CPU seconds (user + system) process pid has used
// itself so far, from /proc/<pid>/stat; ok is false once it is gone.
func ProcessCPU(pid int) (seconds float64, ok bool) {
	own, _, ok := procCPU(strconv.Itoa(pid))
	return own, ok
}

// LoadAvg returns the 1-minute load average, or -1.
func LoadAvg() float64 { return loadAvg() }

// RequestKey is one series of apiserver_request_total.
type RequestKey struct {
	Verb        string `json:"verb"`
	Group       string `json:"group,omitempty"`
	Resource    string `json:"resource"`
	Subresource string `json:"subresource,omitempty"`
	Code        string `json:"code"`
}

// RequestCounts are cumulative apiserver_request_total values by series.
type RequestCounts map[RequestKey]float64

// Sub returns c minus an earlier snapshot, leaving out series that did
// not change.
func (c RequestCounts) Sub(earlier RequestCounts) RequestCounts {
	out := RequestCounts{}
	for k, v := range c {
		if d := v - earlier[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// ScrapeRequests reads apiserver_request_total from the API server with
// the admin credentials of cfg.
func ScrapeRequests(ctx context.Context, cfg *rest.Config) (RequestCounts, error) {
	data, err := adminGet(ctx, cfg, "/metrics")
	if err != nil {
		return nil, fmt.Errorf("api metrics: %w", err)
	}
	return ParseRequestCounts(bytes.NewReader(data))
}

// ParseRequestCounts reads every apiserver_request_total sample from
// Prometheus text exposition (series that differ only in labels not kept,
// such as scope or component, are summed).
func ParseRequestCounts(r io.Reader) (RequestCounts, error) {
	out := RequestCounts{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		labels, value, ok := parseSample(sc.Text(), "apiserver_request_total")
		if !ok {
			continue
		}
		k := RequestKey{Verb: labels["verb"], Group: labels["group"], Resource: labels["resource"],
			Subresource: labels["subresource"], Code: labels["code"]}
		out[k] += value
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read api metrics: %w", err)
	}
	return out, nil
}
