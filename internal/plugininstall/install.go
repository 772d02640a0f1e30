// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package plugininstall

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultPlugins are the plugins the agent image ships and installs, as
// Spiderpool's agent does.
var DefaultPlugins = []string{"spiderpool", "coordinator", "ifacer"}

// Mode is the permission of an installed plugin.
const Mode os.FileMode = 0o755

// staleAfter is the age after which a temporary file of this package left
// in the destination (by an installer killed mid-copy) is removed. Younger
// ones may belong to an installer running right now.
const staleAfter = 5 * time.Minute

// Action is what Install did with one plugin.
type Action string

// Actions reported in a Result.
const (
	// Installed: the target did not exist.
	Installed Action = "installed"
	// Updated: the target existed with other content and was replaced.
	Updated Action = "updated"
	// Unchanged: the target already had the source's content.
	Unchanged Action = "unchanged"
)

// Result reports one plugin.
type Result struct {
	Name   string
	Path   string // the target in the destination dir
	Action Action
	Size   int64
}

func (r Result) String() string {
	return fmt.Sprintf("%s %s (%d bytes)", r.Action, r.Path, r.Size)
}

// Install copies each named plugin from srcDir into dstDir. It stops at the
// first failure and returns the results of the plugins done before it.
func Install(srcDir, dstDir string, names []string) ([]Result, error) {
	return installer{copy: io.Copy}.install(srcDir, dstDir, names)
}

// installer holds what tests replace to inject faults.
type installer struct {
	copy func(dst io.Writer, src io.Reader) (int64, error)
}

func (in installer) install(srcDir, dstDir string, names []string) ([]Result, error) {
	if err := checkDir(dstDir); err != nil {
		return nil, err
	}
	results := make([]Result, 0, len(names))
	for _, name := range names {
		if err := checkName(name); err != nil {
			return results, err
		}
		res, err := in.one(filepath.Join(srcDir, name), dstDir, name)
		if err != nil {
			return results, err
		}
		results = append(results, res)
	}
	return results, nil
}

// checkDir fails unless dir is an existing directory.
func checkDir(dir string) error {
	st, err := os.Stat(dir)
	if err == nil && !st.IsDir() {
		err = errors.New("not a directory")
	}
	if err != nil {
		return fmt.Errorf("CNI bin dir %s: %w: mount the host's CNI bin dir there (chart value global.cniBinHostPath) or pass --cni-bin-dir", dir, err)
	}
	return nil
}

// checkName refuses names that are not plain file names.
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, string(filepath.Separator)+"*?[") {
		return fmt.Errorf("plugin name %q: not a file name: name plugins like spiderpool,coordinator,ifacer", name)
	}
	return nil
}
