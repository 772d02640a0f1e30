// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChartModeNetworkChainsCoordinator: chart mode defaults the nodes'
// network to macvlan + spiderpool + coordinator and refuses a HostBinDir
// without the plugins the agents install; process mode keeps macvlan +
// spiderpool.
func TestChartModeNetworkChainsCoordinator(t *testing.T) {
	bin := t.TempDir()
	opts := Options{Chart: "charts/spiderpool", HelmBinary: "helm", HostBinDir: bin, K8sBinDir: "k8s", LabBinary: "spiderlab"}.Defaults()
	if err := opts.validate(); err == nil || !strings.Contains(err.Error(), "coordinator") {
		t.Errorf("validate without the plugin: %v; want an error naming the coordinator", err)
	}
	for _, name := range []string{"spiderpool", CoordinatorPlugin, "ifacer"} {
		if err := os.WriteFile(filepath.Join(bin, name), nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := opts.validate(); err != nil {
		t.Errorf("validate with the plugin: %v", err)
	}
	if got := pluginTypes(t, opts.NodeNetwork); strings.Join(got, ",") != "macvlan,coordinator" {
		t.Errorf("chart-mode network plugins %v; want macvlan, coordinator", got)
	}
	process := Options{AgentBinary: filepath.Join(bin, "spiderpool-agent")}.Defaults()
	if got := pluginTypes(t, process.NodeNetwork); strings.Join(got, ",") != "macvlan" {
		t.Errorf("process-mode network plugins %v; want macvlan", got)
	}
}

func pluginTypes(t *testing.T, network NodeNetworkFunc) []string {
	t.Helper()
	raw, err := network(Node{Index: 1, Name: "n1", NetNS: "spl-t-n1", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var conf struct {
		Plugins []struct {
			Type string `json:"type"`
		} `json:"plugins"`
	}
	if err := json.Unmarshal(raw, &conf); err != nil {
		t.Fatalf("network config %s: %v", raw, err)
	}
	var out []string
	for _, p := range conf.Plugins {
		out = append(out, p.Type)
	}
	return out
}
