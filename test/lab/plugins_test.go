// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"path/filepath"
	"reflect"
	"testing"
)

// TestNodeCNIBinDirs: in chart mode a node runs the plugins from its own
// CNI bin dir (where the agent installed them), never from HostBinDir; in
// process mode from HostBinDir.
func TestNodeCNIBinDirs(t *testing.T) {
	n := Node{Name: "n1", NetNS: "spl-t-n1"}
	chart := Options{Chart: "charts/spiderpool", HostBinDir: "/bin-dir", CNIBinDirs: []string{"/cni"}}
	l := &Lab{Chart: chart.Chart, HostBinDir: chart.HostBinDir, CNIBinDirs: cniBinDirs(chart)}
	want := []string{filepath.Join(rootFSLinks, "spl-t-n1", "opt", "cni", "bin"), "/cni"}
	if got := l.NodeCNIBinDirs(n); !reflect.DeepEqual(got, want) {
		t.Errorf("chart mode: %v, want %v", got, want)
	}
	process := Options{Chart: "charts/spiderpool", AgentBinary: "/bin-dir/spiderpool-agent", HostBinDir: "/bin-dir", CNIBinDirs: []string{"/cni"}}
	l = &Lab{Chart: process.Chart, AgentBinary: process.AgentBinary, HostBinDir: process.HostBinDir, CNIBinDirs: cniBinDirs(process)}
	if got := l.NodeCNIBinDirs(n); !reflect.DeepEqual(got, []string{"/bin-dir", "/cni"}) {
		t.Errorf("process mode: %v, want HostBinDir first", got)
	}
}
