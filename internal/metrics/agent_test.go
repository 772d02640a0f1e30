// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/metrics"
)

func newAgent(t *testing.T) (*metrics.Agent, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	a, err := metrics.NewAgent(reg)
	if err != nil {
		t.Fatal(err)
	}
	return a, reg
}

// gather returns every family of reg by name.
func gather(t *testing.T, reg prometheus.Gatherer) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// value returns the value of the only series of family name.
func value(t *testing.T, reg prometheus.Gatherer, name string) float64 {
	t.Helper()
	mf, ok := gather(t, reg)[name]
	if !ok || len(mf.GetMetric()) != 1 {
		t.Fatalf("family %s: %v", name, mf)
	}
	m := mf.GetMetric()[0]
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	}
	return float64(m.GetHistogram().GetSampleCount())
}

// TestAgentNames: every metric of docs/reference/interface.md §8.1, with its
// type, exists from the start; counters at 0.
func TestAgentNames(t *testing.T) {
	_, reg := newAgent(t)
	want := map[string]dto.MetricType{}
	for _, call := range []string{"allocation", "release"} {
		p := "spiderpool_ipam_" + call
		for _, c := range []string{"counts", "failure_counts", "update_ippool_conflict_counts", "err_internal_counts", "err_retries_exhausted_counts"} {
			want[p+"_"+c+"_total"] = dto.MetricType_COUNTER
		}
		for _, d := range []string{"duration_seconds", "limit_duration_seconds"} {
			want[p+"_"+d] = dto.MetricType_HISTOGRAM
			for _, s := range []string{"average", "max", "min", "latest"} {
				want[p+"_"+s+"_"+d] = dto.MetricType_GAUGE
			}
		}
	}
	want["spiderpool_ipam_allocation_err_no_available_pool_counts_total"] = dto.MetricType_COUNTER
	want["spiderpool_ipam_allocation_err_ip_used_out_counts_total"] = dto.MetricType_COUNTER
	want["spiderpool_debug_auto_pool_waited_for_available_counts_total"] = dto.MetricType_COUNTER
	got := map[string]dto.MetricType{}
	for name, mf := range gather(t, reg) {
		got[name] = mf.GetType()
		if mf.GetType() == dto.MetricType_COUNTER && mf.GetMetric()[0].GetCounter().GetValue() != 0 {
			t.Errorf("%s starts at %v", name, mf.GetMetric()[0].GetCounter().GetValue())
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}

// TestAllocationCauses: each failure counts once as a failure and once
// under its cause; a success counts only as a call.
func TestAllocationCauses(t *testing.T) {
	const p = "spiderpool_ipam_allocation_"
	tests := []struct {
		name  string
		err   error
		cause string // "" for a success
	}{
		{"success", nil, ""},
		{"used out", fmt.Errorf("pod x: %w", ipam.ErrPoolExhausted), "err_ip_used_out_counts_total"},
		{"no pool", fmt.Errorf("eth0: %w", ipam.ErrNoPool), "err_no_available_pool_counts_total"},
		{"pool not found", fmt.Errorf("eth0: %w", ipam.ErrPoolNotFound), "err_no_available_pool_counts_total"},
		{"deadline", fmt.Errorf("pool a: %w", context.DeadlineExceeded), "err_retries_exhausted_counts_total"},
		{"wrong input", fmt.Errorf("pod x: %w", &annotation.Error{Key: annotation.KeyIPPool, Reason: "bad"}), "err_retries_exhausted_counts_total"},
		{"pod not alive", ipam.ErrPodNotAlive, "err_retries_exhausted_counts_total"},
		{"not ready", ipam.ErrNotReady, "err_internal_counts_total"},
		{"api", errors.New("connection refused"), "err_internal_counts_total"},
		{"joined with rollback", errors.Join(fmt.Errorf("a: %w", ipam.ErrPoolExhausted), errors.New("rollback")), "err_ip_used_out_counts_total"},
	}
	causes := []string{"err_ip_used_out_counts_total", "err_no_available_pool_counts_total", "err_retries_exhausted_counts_total", "err_internal_counts_total"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, reg := newAgent(t)
			a.ObserveAllocation(time.Second, tt.err)
			if got := value(t, reg, p+"counts_total"); got != 1 {
				t.Errorf("counts = %v, want 1", got)
			}
			wantFail := 0.0
			if tt.err != nil {
				wantFail = 1
			}
			if got := value(t, reg, p+"failure_counts_total"); got != wantFail {
				t.Errorf("failure_counts = %v, want %v", got, wantFail)
			}
			for _, c := range causes {
				want := 0.0
				if c == tt.cause {
					want = 1
				}
				if got := value(t, reg, p+c); got != want {
					t.Errorf("%s = %v, want %v", c, got, want)
				}
			}
		})
	}
}

func TestReleaseCauses(t *testing.T) {
	const p = "spiderpool_ipam_release_"
	a, reg := newAgent(t)
	a.ObserveRelease(time.Millisecond, nil)
	a.ObserveRelease(time.Millisecond, fmt.Errorf("release: %w", context.Canceled))
	a.ObserveRelease(time.Millisecond, fmt.Errorf("release: %w", ipam.ErrPoolExhausted)) // no such release cause: internal
	want := map[string]float64{"counts_total": 3, "failure_counts_total": 2, "err_retries_exhausted_counts_total": 1, "err_internal_counts_total": 1}
	for name, w := range want {
		if got := value(t, reg, p+name); got != w {
			t.Errorf("%s = %v, want %v", name, got, w)
		}
	}
}

// TestDurationFamilies: the histogram has Spiderpool's buckets and the
// gauges follow the observations.
func TestDurationFamilies(t *testing.T) {
	a, reg := newAgent(t)
	for _, d := range []time.Duration{2 * time.Second, 200 * time.Millisecond, 5 * time.Second} {
		a.ObserveAllocation(d, nil)
	}
	const p = "spiderpool_ipam_allocation_"
	want := map[string]float64{"average": 2.4, "max": 5, "min": 0.2, "latest": 5}
	for stat, w := range want {
		if got := value(t, reg, p+stat+"_duration_seconds"); fmt.Sprintf("%.6f", got) != fmt.Sprintf("%.6f", w) {
			t.Errorf("%s = %v, want %v", stat, got, w)
		}
	}
	h := gather(t, reg)[p+"duration_seconds"].GetMetric()[0].GetHistogram()
	var bounds []float64
	var counts []uint64
	for _, b := range h.GetBucket() {
		bounds = append(bounds, b.GetUpperBound())
		counts = append(counts, b.GetCumulativeCount())
	}
	if diff := cmp.Diff(metrics.Buckets(), bounds); diff != "" {
		t.Errorf("buckets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]uint64{0, 1, 1, 1, 2, 3, 3, 3, 3}, counts); diff != "" {
		t.Errorf("cumulative counts (-want +got):\n%s", diff)
	}
	if !slices.Equal(metrics.Buckets(), []float64{0.1, 0.3, 0.5, 1, 3, 5, 7, 10, 15}) {
		t.Errorf("Buckets() = %v", metrics.Buckets())
	}
}

// TestObserver: queue waits and conflicts land on the family of their
// operation.
func TestObserver(t *testing.T) {
	a, reg := newAgent(t)
	a.PoolQueueWait(ipam.OperationAllocation, 400*time.Millisecond)
	a.PoolQueueWait(ipam.OperationRelease, time.Second)
	a.PoolQueueWait(ipam.OperationRelease, 3*time.Second)
	a.PoolConflict(ipam.OperationAllocation)
	a.PoolConflict(ipam.OperationAllocation)
	a.PoolConflict(ipam.OperationRelease)
	want := map[string]float64{
		"spiderpool_ipam_allocation_limit_duration_seconds":              1,
		"spiderpool_ipam_allocation_latest_limit_duration_seconds":       0.4,
		"spiderpool_ipam_release_limit_duration_seconds":                 2,
		"spiderpool_ipam_release_average_limit_duration_seconds":         2,
		"spiderpool_ipam_allocation_update_ippool_conflict_counts_total": 2,
		"spiderpool_ipam_release_update_ippool_conflict_counts_total":    1,
		"spiderpool_ipam_allocation_duration_seconds":                    0, // queue waits are not call durations
	}
	for name, w := range want {
		if got := value(t, reg, name); got != w {
			t.Errorf("%s = %v, want %v", name, got, w)
		}
	}
}

// TestAgentTwiceOnOneRegistry: a second set on the same registry shares
// the first's series instead of failing.
func TestAgentTwiceOnOneRegistry(t *testing.T) {
	a, reg := newAgent(t)
	b, err := metrics.NewAgent(reg)
	if err != nil {
		t.Fatal(err)
	}
	a.ObserveAllocation(time.Second, nil)
	b.ObserveAllocation(time.Second, nil)
	if got := value(t, reg, "spiderpool_ipam_allocation_counts_total"); got != 2 {
		t.Errorf("counts = %v, want 2", got)
	}
}

// TestAgentConflictingRegistry: a same-named metric of another type is an
// error, not a panic.
func TestAgentConflictingRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: "spiderpool_ipam_allocation_counts_total", Help: "x"}))
	if _, err := metrics.NewAgent(reg); err == nil {
		t.Fatal("NewAgent() accepted a registry with a conflicting metric")
	}
}

// TestExposition: the text exposition has Spiderpool's names (testutil
// compares the text format).
func TestExposition(t *testing.T) {
	a, reg := newAgent(t)
	a.ObserveAllocation(time.Second, fmt.Errorf("x: %w", ipam.ErrPoolExhausted))
	expected := `
# HELP spiderpool_ipam_allocation_err_ip_used_out_counts_total IP allocations (CNI ADD) that failed because every candidate SpiderIPPool was full.
# TYPE spiderpool_ipam_allocation_err_ip_used_out_counts_total counter
spiderpool_ipam_allocation_err_ip_used_out_counts_total 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(expected), "spiderpool_ipam_allocation_err_ip_used_out_counts_total"); err != nil {
		t.Error(err)
	}
}
