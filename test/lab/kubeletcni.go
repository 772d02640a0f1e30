// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// CNIWrapperDir is containerd's CNI bin_dir on the kubelet node: one
// logging wrapper per plugin (writeLoggingPlugins) that runs the real
// plugin from the node's plugin search path, NodeCNIBinDirs (in chart mode
// the node's CNI bin dir first, where the agent's install-plugins put the
// project's plugins).
func (k KubeletNode) CNIWrapperDir() string { return filepath.Join(k.Dir, "cni-wrappers") }

// writeKubeletNodeNetwork writes the node's network (Options.NodeNetwork)
// at CNI spec 1.0.0, the newest containerd 1.6's libcni reads (it refuses
// a 1.1.0 result: "unsupported CNI result version"), and fills
// CNIWrapperDir with wrappers that log each call and run the real plugin.
func (l *Lab) writeKubeletNodeNetwork(k KubeletNode) error {
	downgrade := func(n Node) ([]byte, error) {
		raw, err := l.opts.NodeNetwork(n)
		if err != nil {
			return nil, err
		}
		conf := map[string]any{}
		if err := json.Unmarshal(raw, &conf); err != nil {
			return nil, fmt.Errorf("parse the network configuration: %w", err)
		}
		conf["cniVersion"] = "1.0.0"
		return json.MarshalIndent(conf, "", "  ")
	}
	if err := l.WriteNodeNetwork(k.Node, downgrade); err != nil {
		return err
	}
	return writeLoggingPlugins(k.CNIWrapperDir(), k.CNICallLog(), l.NodeCNIBinDirs(k.Node))
}

// writeLoggingPlugins writes into dir one shell wrapper per plugin found in
// dirs (first wins), logging the call to log before running the plugin.
func writeLoggingPlugins(dir, log string, dirs []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			return fmt.Errorf("list CNI plugins in %s: %w", d, err)
		}
		for _, e := range entries {
			dst := filepath.Join(dir, e.Name())
			if e.IsDir() || fileExists(dst) {
				continue
			}
			script := fmt.Sprintf("#!/bin/sh\necho \"$CNI_COMMAND %s $CNI_CONTAINERID\" >> %q\nexec %q \"$@\"\n",
				e.Name(), log, filepath.Join(d, e.Name()))
			if err := os.WriteFile(dst, []byte(script), 0o755); err != nil {
				return fmt.Errorf("write CNI wrapper %s: %w", dst, err)
			}
		}
	}
	return nil
}
