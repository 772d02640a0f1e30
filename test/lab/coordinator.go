// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import "encoding/json"

// CoordinatorPlugin is the coordinator CNI plugin's file name.
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
