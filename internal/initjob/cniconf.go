// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrBadCNIConf is wrapped by the error for a CNI configuration file that
// does not say its name and type.
var ErrBadCNIConf = errors.New("bad CNI configuration")

// multusConfPrefix starts the file Multus writes into the CNI directory;
// the cluster's default CNI is the first file after it.
const multusConfPrefix = "00-multus"

// cniConf is what spiderpool-init takes from the default CNI's
// configuration file.
type cniConf struct {
	// Name is the network name.
	Name string
	// Type is the type of the (first) plugin.
	Type string
	// Master is the first plugin's "master" (macvlan, ipvlan, ipoib), or "".
	Master string
}

// rawPlugin is the part of a plugin configuration that is read.
type rawPlugin struct {
	Type   string `json:"type"`
	Master string `json:"master"`
}

// parseCNIConf parses a .conf (one plugin) or a .conflist (a "plugins"
// list, whose first entry is the main plugin).
func parseCNIConf(data []byte) (cniConf, error) {
	var raw struct {
		Name string `json:"name"`
		rawPlugin
		Plugins []rawPlugin `json:"plugins"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return cniConf{}, fmt.Errorf("%w: %w", ErrBadCNIConf, err)
	}
	main := raw.rawPlugin
	if raw.Plugins != nil {
		if len(raw.Plugins) == 0 {
			return cniConf{}, fmt.Errorf("%w: empty plugins list", ErrBadCNIConf)
		}
		main = raw.Plugins[0]
	}
	if raw.Name == "" || main.Type == "" {
		return cniConf{}, fmt.Errorf("%w: no network name or plugin type", ErrBadCNIConf)
	}
	return cniConf{Name: raw.Name, Type: main.Type, Master: main.Master}, nil
}

// findDefaultCNI reads the cluster's default CNI from dir: the first .conf
// or .conflist file, by name, that Multus did not write. found is false
// when dir has none or does not exist.
func findDefaultCNI(dir string) (conf cniConf, file string, found bool, err error) {
	if dir == "" {
		return cniConf{}, "", false, nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return cniConf{}, "", false, nil
	}
	if err != nil {
		return cniConf{}, "", false, fmt.Errorf("read CNI directory: %w", err)
	}
	for _, e := range entries {
		if !isCNIConfFile(e) {
			continue
		}
		file = filepath.Join(dir, e.Name())
		data, err := os.ReadFile(file)
		if err != nil {
			return cniConf{}, file, false, fmt.Errorf("read %s: %w", file, err)
		}
		conf, err := parseCNIConf(data)
		if err != nil {
			return cniConf{}, file, false, fmt.Errorf("%s: %w", file, err)
		}
		return conf, file, true, nil
	}
	return cniConf{}, "", false, nil
}

// isCNIConfFile reports whether e may hold the default CNI's configuration.
func isCNIConfFile(e fs.DirEntry) bool {
	name := e.Name()
	if e.IsDir() || strings.HasPrefix(name, multusConfPrefix) {
		return false
	}
	ext := filepath.Ext(name)
	return ext == ".conf" || ext == ".conflist"
}
