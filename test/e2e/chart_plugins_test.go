// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/plugininstall"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// assertPluginsInstalled: every node's CNI bin dir holds the plugins the
// agent's postStart hook copied (byte for byte the built ones, mode 0755,
// no temporary file left), and the node runs its plugins from there, not
// from the build dir.
func assertPluginsInstalled(t *testing.T, l *lab.Lab) {
	t.Helper()
	for _, n := range l.Nodes {
		assertNodePlugins(t, l, n)
	}
}

// assertNodePlugins is assertPluginsInstalled for node n.
func assertNodePlugins(t *testing.T, l *lab.Lab, n lab.Node) {
	t.Helper()
	if dirs := l.NodeCNIBinDirs(n); len(dirs) == 0 || dirs[0] != n.CNIBinDir() {
		t.Errorf("node %s runs plugins from %v; want %s first", n.Name, dirs, n.CNIBinDir())
	}
	for _, name := range plugininstall.DefaultPlugins {
		want, err := os.ReadFile(filepath.Join(l.HostBinDir, name))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(n.CNIBinDir(), name)
		got, err := os.ReadFile(path)
		st, serr := os.Stat(path)
		if err != nil || serr != nil || !bytes.Equal(got, want) || st.Mode().Perm() != plugininstall.Mode {
			t.Errorf("node %s: %s not installed as built (read %v, stat %v)", n.Name, path, err, serr)
		}
	}
	entries, _ := os.ReadDir(n.CNIBinDir())
	if len(entries) != len(plugininstall.DefaultPlugins) {
		t.Errorf("node %s: %s holds %d entries, want only the %d plugins", n.Name, n.CNIBinDir(), len(entries), len(plugininstall.DefaultPlugins))
	}
}
