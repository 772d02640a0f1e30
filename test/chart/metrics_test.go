// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// exposedMetrics are the series names the agent and controller expose
// (docs/reference/interface.md §8, docs/metrics.md), the only names the
// dashboard and alerts may query.
var exposedMetrics = []string{
	"spiderpool_ipam_allocation_counts_total",
	"spiderpool_ipam_allocation_failure_counts_total",
	"spiderpool_ipam_allocation_update_ippool_conflict_counts_total",
	"spiderpool_ipam_allocation_err_internal_counts_total",
	"spiderpool_ipam_allocation_err_no_available_pool_counts_total",
	"spiderpool_ipam_allocation_err_retries_exhausted_counts_total",
	"spiderpool_ipam_allocation_err_ip_used_out_counts_total",
	"spiderpool_ipam_allocation_duration_seconds_bucket",
	"spiderpool_ipam_release_counts_total",
	"spiderpool_ipam_release_failure_counts_total",
	"spiderpool_ipam_release_duration_seconds_bucket",
	"spiderpool_ip_gc_counts_total",
	"spiderpool_ip_gc_failure_counts_total",
	"spiderpool_total_ippool_counts",
	"spiderpool_total_subnet_counts",
	"spiderpool_ippool_total_ip_counts",
	"spiderpool_ippool_available_ip_counts",
}

// metricName matches a PromQL metric name: an identifier not followed by
// "(" (a function) and not a label, keyword or range.
var metricName = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)

// promqlWords are the PromQL functions, keywords and label names the
// expressions use besides metric names.
var promqlWords = []string{"sum", "rate", "increase", "histogram_quantile", "by", "le", "max", "SpiderIPPool",
	"rate_interval", "m", "s", "e"}

// metricsIn returns the metric names PromQL expression expr refers to.
func metricsIn(expr string) []string {
	var out []string
	for _, m := range metricName.FindAllString(regexp.MustCompile(`\[[^]]*\]|"[^"]*"|\$__\w+`).ReplaceAllString(expr, ""), -1) {
		if !slices.Contains(promqlWords, m) {
			out = append(out, m)
		}
	}
	return out
}

// checkExpr reports names in expr that the components do not expose.
func checkExpr(t *testing.T, where, expr string) {
	t.Helper()
	names := metricsIn(expr)
	if len(names) == 0 {
		t.Errorf("%s: no metric in %q", where, expr)
	}
	for _, n := range names {
		if !slices.Contains(exposedMetrics, n) {
			t.Errorf("%s: %q queries %s, which no component exposes", where, expr, n)
		}
	}
}

// TestDashboardQueriesExposedMetrics parses files/grafana-ipam.json and
// checks every query.
func TestDashboardQueriesExposedMetrics(t *testing.T) {
	e := newChartEnv(t)
	data, err := os.ReadFile(filepath.Join(e.chart, "files", "grafana-ipam.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title, UID string
		Panels     []struct {
			Title   string
			Type    string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("grafana-ipam.json is not JSON: %v", err)
	}
	if dash.Title == "" || dash.UID == "" {
		t.Errorf("dashboard title %q uid %q", dash.Title, dash.UID)
	}
	seen := map[string]bool{}
	for _, p := range dash.Panels {
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			checkExpr(t, "panel "+p.Title, q.Expr)
			for _, n := range metricsIn(q.Expr) {
				seen[n] = true
			}
		}
	}
	for _, n := range exposedMetrics {
		if !seen[n] {
			t.Errorf("the dashboard does not show %s", n)
		}
	}
	for kind, name := range map[string]string{"ConfigMap": "spiderpool-grafana-ipam", "GrafanaDashboard": "spiderpool-ipam"} {
		objs := e.template(t, with("grafanaDashboard.install", true, "grafanaDashboard.kind", kind))
		if !objs.has(kind, name) {
			t.Errorf("grafanaDashboard.kind %s renders %v", kind, objs.keys(kind))
		}
	}
	if objs := e.template(t, nil); objs.has("ConfigMap", "spiderpool-grafana-ipam") {
		t.Error("dashboard rendered with grafanaDashboard.install false")
	}
}

// TestPrometheusRulesQueryExposedMetrics checks every alert expression
// (fixing Spiderpool's rules, docs/reference/interface.md §10.6).
func TestPrometheusRulesQueryExposedMetrics(t *testing.T) {
	e := newChartEnv(t)
	objs := e.template(t, monitoring)
	alerts := 0
	for _, name := range []string{"spiderpool-agent", "spiderpool-controller"} {
		rule := &unstructured.Unstructured{}
		objs.decode(t, "PrometheusRule", name, &rule.Object)
		groups, _, err := unstructured.NestedSlice(rule.Object, "spec", "groups")
		if err != nil || len(groups) == 0 {
			t.Fatalf("PrometheusRule %s: no groups (%v)", name, err)
		}
		for _, g := range groups {
			rules, _, _ := unstructured.NestedSlice(g.(map[string]any), "rules")
			for _, r := range rules {
				expr, _, _ := unstructured.NestedString(r.(map[string]any), "expr")
				alert, _, _ := unstructured.NestedString(r.(map[string]any), "alert")
				checkExpr(t, "alert "+alert, expr)
				alerts++
			}
		}
	}
	if alerts != 6 {
		t.Errorf("%d alerts, want Spiderpool's 6", alerts)
	}
	for _, name := range []string{"spiderpool-agent", "spiderpool-controller"} {
		if !objs.has("ServiceMonitor", name) || !objs.has("Service", name) {
			t.Errorf("monitoring on: ServiceMonitor/Service %s missing", name)
		}
	}
}
