// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// recordedCall is one call measuredIPAM reported.
type recordedCall struct {
	Kind     string
	Duration time.Duration
	Err      string
}

type callLog []recordedCall

func (l *callLog) ObserveAllocation(d time.Duration, err error) { l.add("allocation", d, err) }
func (l *callLog) ObserveRelease(d time.Duration, err error)    { l.add("release", d, err) }

func (l *callLog) add(kind string, d time.Duration, err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	*l = append(*l, recordedCall{kind, d, msg})
}

// TestMeasuredIPAM: ADD and DEL are each reported once with their duration
// and error, and passed through unchanged; the other calls are not counted.
func TestMeasuredIPAM(t *testing.T) {
	fake := &fakeIPAM{err: fmt.Errorf("x: %w", ipam.ErrPoolExhausted), releaseErr: errors.New("api down")}
	var log callLog
	m := newMeasuredIPAM(fake, &log)
	tick := time.Unix(100, 0)
	m.now = func() time.Time { tick = tick.Add(250 * time.Millisecond); return tick }
	ctx := t.Context()
	if _, err := m.Allocate(ctx, ipam.AllocateRequest{}); !errors.Is(err, ipam.ErrPoolExhausted) {
		t.Errorf("Allocate() error = %v", err)
	}
	if err := m.Release(ctx, ipam.ReleaseRequest{}); err == nil {
		t.Error("Release() hid the error")
	}
	// The fake fails these too; only whether they are counted matters.
	_ = m.ReleaseAll(ctx, ipam.ReleaseAllRequest{})
	_, _ = m.Check(ctx, "ns", "p", "uid", "eth0")
	_, _ = m.GC(ctx, "node", nil)
	want := callLog{
		{"allocation", 250 * time.Millisecond, "x: all IP addresses used out"},
		{"release", 250 * time.Millisecond, "api down"},
	}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// TestAgentRegistry: the registry holds the IPAM and the Go runtime
// metrics, and the metric set counts what it is told.
func TestAgentRegistry(t *testing.T) {
	reg, m, err := newRegistry()
	if err != nil {
		t.Fatal(err)
	}
	m.ObserveAllocation(time.Second, nil)
	n, err := testutil.GatherAndCount(reg, "spiderpool_ipam_allocation_counts_total", "spiderpool_ipam_release_counts_total", "go_goroutines")
	if err != nil || n != 3 {
		t.Errorf("series = %d (%v), want 3", n, err)
	}
}

func TestMetricsAddr(t *testing.T) {
	tests := []struct {
		env  config.CommonEnv
		want string
	}{
		{config.CommonEnv{EnableMetric: false, MetricHTTPPort: 5711}, ""},
		{config.CommonEnv{EnableMetric: true, MetricHTTPPort: 5711}, ":5711"},
	}
	for _, tt := range tests {
		if got := metricsAddr(tt.env); got != tt.want {
			t.Errorf("metricsAddr(%+v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}
