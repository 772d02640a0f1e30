// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package metrics_test

import (
	"errors"
	"math"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/spiderpool-go/spiderpool/internal/metrics"
)

// TestReleaseQueueMetrics: the length is read at every scrape, the
// counters start at 0 and count what the agent reports.
func TestReleaseQueueMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	length, lenErr := 3, error(nil)
	m, err := metrics.NewReleaseQueue(reg, func() (int, error) { return length, lenErr })
	if err != nil {
		t.Fatal(err)
	}
	if got := value(t, reg, metrics.ReleaseQueueEntries); got != 3 {
		t.Errorf("%s = %v, want 3", metrics.ReleaseQueueEntries, got)
	}
	for _, name := range []string{metrics.ReleaseQueueCorrupt, metrics.ReleaseQueueGivenUp} {
		if got := value(t, reg, name); got != 0 {
			t.Errorf("%s = %v at start, want 0", name, got)
		}
	}
	m.CountCorrupt()
	m.CountGivenUp()
	m.CountGivenUp()
	length, lenErr = 0, errors.New("permission denied")
	if got := value(t, reg, metrics.ReleaseQueueEntries); !math.IsNaN(got) {
		t.Errorf("%s = %v when the directory cannot be read, want NaN", metrics.ReleaseQueueEntries, got)
	}
	if got := value(t, reg, metrics.ReleaseQueueCorrupt); got != 1 {
		t.Errorf("%s = %v, want 1", metrics.ReleaseQueueCorrupt, got)
	}
	if got := value(t, reg, metrics.ReleaseQueueGivenUp); got != 2 {
		t.Errorf("%s = %v, want 2", metrics.ReleaseQueueGivenUp, got)
	}
}
