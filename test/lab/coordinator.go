// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// CoordinatorPlugin is the coordinator CNI plugin's file name in HostBinDir.
const CoordinatorPlugin = "coordinator"

// MacvlanSpiderpoolCoordinator is the lab's node network in chart mode, as
// Spiderpool's own install sets a node up: macvlan on eth0 with the
// spiderpool IPAM plugin, chained to the coordinator. The coordinator
// takes its settings from the SpiderCoordinator spiderpool-init created
// (mode auto: underlay for eth0), so a pod reaches its node through veth0.
func MacvlanSpiderpoolCoordinator(n Node) ([]byte, error) {
	conf := map[string]any{
		"cniVersion": "1.1.0",
		"name":       "macvlan-eth0",
		"plugins": []any{
			map[string]any{
				"type": "macvlan", "master": "eth0", "mode": "bridge",
				"ipam": map[string]any{"type": "spiderpool", "ipam_unix_socket_path": n.AgentSocket()},
			},
			map[string]any{"type": CoordinatorPlugin},
		},
	}
	return json.MarshalIndent(conf, "", "  ")
}

// checkCoordinatorPlugin fails unless dir holds the coordinator plugin the
// chart-mode node network chains to.
func checkCoordinatorPlugin(dir string) error {
	path := filepath.Join(dir, CoordinatorPlugin)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("lab options: chart mode chains the nodes' network to the coordinator plugin, but HostBinDir has none (%w): build ./cmd/coordinator into %s", err, dir)
	}
	return nil
}
