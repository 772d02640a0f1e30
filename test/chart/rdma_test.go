// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/spiderpool-go/spiderpool/internal/rdmametrics"
)

// rdmaDashboard is the part of a Grafana dashboard the tests read.
type rdmaDashboard struct {
	Title, UID string
	Panels     []struct {
		Title   string
		Type    string
		Targets []struct{ Expr string }
	}
	Templating struct {
		List []struct {
			Name, Type string
			Query      any
		}
	}
}

// promqlNoise matches what is not a metric name in the dashboard's
// expressions: label matchers, ranges, grouping clauses, legend and
// variable references, function calls' names, numbers.
var promqlNoise = []*regexp.Regexp{
	regexp.MustCompile(`\{[^}]*\}|\[[^]]*\]|\b(by|without)\s*\([^)]*\)|\$\w+|\b\d+\b`),
	regexp.MustCompile(`[a-z_]+\s*\(|,\s*[a-z_]+\s*\)`),
}

// rdmaMetricsIn returns the metric names of a PromQL expression or a
// label_values() variable query.
func rdmaMetricsIn(expr string) []string {
	for _, re := range promqlNoise {
		expr = re.ReplaceAllString(expr, " ")
	}
	return regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`).FindAllString(expr, -1)
}

// checkRDMAExpr reports names in expr that the agent does not export.
func checkRDMAExpr(t *testing.T, where, expr string, seen map[string]bool) {
	t.Helper()
	names := rdmaMetricsIn(expr)
	if len(names) == 0 {
		t.Errorf("%s: no metric in %q", where, expr)
	}
	for _, n := range names {
		seen[n] = true
		if !slices.Contains(rdmametrics.KnownMetricNames(), n) {
			t.Errorf("%s: %q queries %s, which the agent does not export", where, expr, n)
		}
	}
}

// checkRDMADashboard parses the rendered dashboard and checks every query
// and variable against the RDMA names the agent exports.
func checkRDMADashboard(t *testing.T, data string) {
	t.Helper()
	var dash rdmaDashboard
	if err := json.Unmarshal([]byte(data), &dash); err != nil {
		t.Fatalf("the RDMA dashboard is not JSON: %v", err)
	}
	if dash.Title == "" || dash.UID != "spiderpool-rdma" {
		t.Errorf("dashboard title %q uid %q", dash.Title, dash.UID)
	}
	seen := map[string]bool{}
	for _, p := range dash.Panels {
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			checkRDMAExpr(t, "panel "+p.Title, q.Expr, seen)
		}
	}
	for _, v := range dash.Templating.List {
		if q, ok := v.Query.(map[string]any); ok && v.Type == "query" {
			expr, _ := q["query"].(string)
			checkRDMAExpr(t, "variable "+v.Name, expr, seen)
		}
	}
	for _, n := range []string{"rdma_rx_vport_rdma_unicast_bytes_total", "rdma_tx_vport_rdma_unicast_packets_total", "rdma_out_of_buffer_total",
		"rdma_rx_discards_total", "rdma_tx_pause_total", "rdma_np_cnp_sent_total", "rdma_np_ecn_marked_roce_packets_total", "rdma_rp_cnp_handled_total"} {
		if !seen[n] {
			t.Errorf("the RDMA dashboard does not show %s", n)
		}
	}
}

// TestRDMADashboard: grafanaDashboard.install ships the RDMA dashboard
// beside the IPAM one, as a ConfigMap or a GrafanaDashboard, and it queries
// only the RDMA series the agent exports.
func TestRDMADashboard(t *testing.T) {
	e := newChartEnv(t)
	objs := e.template(t, with("grafanaDashboard.install", true))
	cm := objs.configMap(t, "spiderpool-grafana-rdma")
	if cm.Labels["grafana_dashboard"] != "1" {
		t.Errorf("ConfigMap labels %v, want grafana_dashboard: \"1\"", cm.Labels)
	}
	checkRDMADashboard(t, cm.Data["spiderpool-rdma.json"])
	if !objs.has("ConfigMap", "spiderpool-grafana-ipam") {
		t.Error("the IPAM dashboard is gone")
	}
	objs = e.template(t, with("grafanaDashboard.install", true, "grafanaDashboard.kind", "GrafanaDashboard"))
	gd := map[string]any{}
	objs.decode(t, "GrafanaDashboard", "spiderpool-rdma", &gd)
	spec, _ := gd["spec"].(map[string]any)
	js, _ := spec["json"].(string)
	checkRDMADashboard(t, js)
	if objs := e.template(t, nil); objs.has("ConfigMap", "spiderpool-grafana-rdma") {
		t.Error("RDMA dashboard rendered with grafanaDashboard.install false")
	}
}

// TestRDMAMetricsAgent: spiderpoolAgent.prometheus.enabledRdmaMetric sets the
// variable, makes the agent privileged and mounts the host's netns
// directory with HostToContainer propagation; off, none of it.
func TestRDMAMetricsAgent(t *testing.T) {
	e := newChartEnv(t)
	pod := e.template(t, with("spiderpoolAgent.prometheus.enabledRdmaMetric", true)).daemonSet(t, "spiderpool-agent").Spec.Template.Spec
	c := pod.Containers[0]
	checkEnv(t, c, map[string]string{"SPIDERPOOL_ENABLED_RDMA_METRIC": "true"})
	if c.SecurityContext == nil || c.SecurityContext.Privileged == nil || !*c.SecurityContext.Privileged {
		t.Error("RDMA metrics on: the agent is not privileged (it enters pod netns)")
	}
	checkHostPath(t, pod, "/var/run/netns", "/var/run/netns", true)
	m, _ := volumeByMount(t, pod, "/var/run/netns")
	if m.MountPropagation == nil || *m.MountPropagation != corev1.MountPropagationHostToContainer {
		t.Errorf("/var/run/netns propagation %v, want HostToContainer", m.MountPropagation)
	}
	pod = e.template(t, nil).daemonSet(t, "spiderpool-agent").Spec.Template.Spec
	checkEnv(t, pod.Containers[0], map[string]string{"SPIDERPOOL_ENABLED_RDMA_METRIC": "false"})
	for _, m := range pod.Containers[0].VolumeMounts {
		if m.MountPath == "/var/run/netns" {
			t.Error("RDMA metrics off, but /var/run/netns is mounted")
		}
	}
}
