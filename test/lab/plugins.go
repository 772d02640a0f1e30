// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spiderpool-go/spiderpool/internal/plugininstall"
)

// CNIBinDir is the node's CNI bin dir, /opt/cni/bin (the chart's
// global.cniBinHostPath) under its root dir: in chart mode the agent's
// postStart hook installs the project's plugins there.
func (n Node) CNIBinDir() string { return filepath.Join(n.RootFS(), "opt", "cni", "bin") }

// NodeCNIBinDirs is the plugin search path of node n. In chart mode it
// starts with the node's CNI bin dir, so pods get their addresses from the
// plugins the agent installed, never straight from HostBinDir; the other
// dirs (CNIBinDirs) hold the reference plugins such as macvlan.
func (l *Lab) NodeCNIBinDirs(n Node) []string {
	if l.ChartMode() {
		return append([]string{n.CNIBinDir()}, l.CNIBinDirs...)
	}
	return l.CNIBinDirs
}

// cniBinDirs is the lab's shared plugin search path: in process mode
// HostBinDir first (the plugins run from where they were built), in chart
// mode only the given dirs (NodeCNIBinDirs adds each node's own).
func cniBinDirs(opts Options) []string {
	if opts.HostBinDir != "" && !opts.chartMode() {
		return append([]string{opts.HostBinDir}, opts.CNIBinDirs...)
	}
	return opts.CNIBinDirs
}

// checkChartPlugins fails unless dir holds every plugin the agent's
// postStart hook installs (plugininstall.DefaultPlugins): without one the
// hook fails and no agent becomes ready.
func checkChartPlugins(dir string) error {
	var missing []string
	for _, name := range plugininstall.DefaultPlugins {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("lab options: in chart mode the agents install %s from HostBinDir %s, which lacks %s: build ./cmd/%s into %s",
		strings.Join(plugininstall.DefaultPlugins, ", "), dir, strings.Join(missing, ", "), strings.Join(missing, " ./cmd/"), dir)
}
