// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"k8s.io/apimachinery/pkg/util/wait"
)

// families are the metric families of one scrape, by name.
type families map[string]*dto.MetricFamily

// scrape GETs the Prometheus exposition at port and path and parses it.
func scrape(ctx context.Context, port int, path string) (families, error) {
	url := "http://127.0.0.1:" + strconv.Itoa(port) + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape %s: %s", url, resp.Status)
	}
	var p expfmt.TextParser
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", url, err)
	}
	return mfs, nil
}

// value returns the sum of the series of family name whose labels include
// labels (name, value pairs), and whether any series matched.
func (f families) value(name string, labels ...string) (float64, bool) {
	mf, ok := f[name]
	if !ok {
		return 0, false
	}
	sum, found := 0.0, false
	for _, m := range mf.GetMetric() {
		if !hasLabels(m, labels) {
			continue
		}
		found = true
		switch {
		case m.GetCounter() != nil:
			sum += m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			sum += m.GetGauge().GetValue()
		case m.GetHistogram() != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum, found
}

func hasLabels(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		ok := false
		for _, l := range m.GetLabel() {
			if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// agentsSum scrapes every agent of the lab and sums the counter or gauge
// name over them (a counter missing from an agent is an error: counters
// exist from the start).
func agentsSum(t *testing.T, ctx context.Context, name string) float64 {
	t.Helper()
	total := 0.0
	for _, n := range shared.lab.Nodes {
		mfs, err := scrape(ctx, n.AgentMetricsPort, "/metrics")
		if err != nil {
			t.Fatalf("agent of %s: %v", n.Name, err)
		}
		v, ok := mfs.value(name)
		if !ok {
			t.Fatalf("agent of %s exposes no %s", n.Name, name)
		}
		total += v
	}
	return total
}

// controllerValue scrapes every controller replica and returns the value
// of series name with labels from the replica that exposes it (the
// leader), and whether one does.
func controllerValue(ctx context.Context, name string, labels ...string) (float64, bool, error) {
	for _, c := range shared.lab.Controllers {
		mfs, err := scrape(ctx, c.Metrics, "/")
		if err != nil {
			continue // a replica restarting; another may be the leader
		}
		if v, ok := mfs.value(name, labels...); ok {
			return v, true, nil
		}
	}
	return 0, false, nil
}

// waitControllerValue waits until a controller replica exposes series name
// with labels at want (present false: until no replica exposes it).
func waitControllerValue(t *testing.T, ctx context.Context, want float64, present bool, name string, labels ...string) {
	t.Helper()
	var got float64
	var found bool
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(ctx context.Context) (bool, error) {
		var err error
		got, found, err = controllerValue(ctx, name, labels...)
		if err != nil {
			return false, err
		}
		return found == present && (!present || got == want), nil
	})
	if err != nil {
		t.Fatalf("controller %s%v: got %v (present %v), want %v (present %v): %v", name, labels, got, found, want, present, err)
	}
}

// waitAgentsAtLeast waits until the sum of counter name over the agents
// reaches want, and returns it.
func waitAgentsAtLeast(t *testing.T, ctx context.Context, name string, want float64) float64 {
	t.Helper()
	var got float64
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(ctx context.Context) (bool, error) {
		got = agentsSum(t, ctx, name)
		return got >= want, nil
	})
	if err != nil {
		t.Fatalf("agents' %s = %v, want at least %v: %v", name, got, want, err)
	}
	return got
}
