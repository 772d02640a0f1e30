// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"encoding/json"
	"fmt"
)

// withNodeSocket points every `spiderpool` IPAM block of a conflist that
// names no socket at this node's agent. On a real cluster every node's agent
// listens on the same default path; in the lab each node's agent has its own
// socket, so a NetworkAttachmentDefinition shared by all nodes cannot name
// one. An explicit ipam_unix_socket_path is left as it is.
func withNodeSocket(conf []byte, socket string) ([]byte, error) {
	if socket == "" {
		return conf, nil
	}
	var list map[string]any
	if err := json.Unmarshal(conf, &list); err != nil {
		return nil, fmt.Errorf("decode CNI conflist: %w", err)
	}
	plugins, _ := list["plugins"].([]any)
	for _, p := range plugins {
		plugin, _ := p.(map[string]any)
		ipam, _ := plugin["ipam"].(map[string]any)
		if ipam == nil || ipam["type"] != "spiderpool" {
			continue
		}
		if _, set := ipam["ipam_unix_socket_path"]; !set {
			ipam["ipam_unix_socket_path"] = socket
		}
	}
	out, err := json.Marshal(list)
	if err != nil {
		return nil, fmt.Errorf("encode CNI conflist: %w", err)
	}
	return out, nil
}
