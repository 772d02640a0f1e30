// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
)

// NodeProcess names the simulator process of a node.
func NodeProcess(node string) string { return "node-" + node }

// MacvlanHostLocal is the lab's proving network: macvlan on eth0 with
// host-local IPAM, each node handing out its own slice of 10.250.0.0/16.
func MacvlanHostLocal(n Node) ([]byte, error) {
	conf := map[string]any{
		"cniVersion": "1.1.0",
		"name":       "macvlan-eth0",
		"plugins": []any{map[string]any{
			"type": "macvlan", "master": "eth0", "mode": "bridge",
			"ipam": map[string]any{
				"type":    "host-local",
				"dataDir": filepath.Join(n.Dir, "host-local"),
				"ranges": []any{[]any{map[string]any{
					"subnet":     "10.250.0.0/16",
					"rangeStart": fmt.Sprintf("10.250.%d.10", n.Index),
					"rangeEnd":   fmt.Sprintf("10.250.%d.250", n.Index),
					"gateway":    "10.250.0.1",
				}}},
			},
		}},
	}
	return json.MarshalIndent(conf, "", "  ")
}

func (l *Lab) writeNodeNetworks() error {
	for _, n := range l.Nodes {
		if err := l.WriteNodeNetwork(n, l.opts.NodeNetwork); err != nil {
			return err
		}
	}
	return nil
}

// WriteNodeNetwork (re)writes a node's default network configuration.
func (l *Lab) WriteNodeNetwork(n Node, network NodeNetworkFunc) error {
	conf, err := network(n)
	if err != nil {
		return fmt.Errorf("node %s network config: %w", n.Name, err)
	}
	if err := os.MkdirAll(n.CNIConfDir(), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", n.CNIConfDir(), err)
	}
	path := filepath.Join(n.CNIConfDir(), "10-default.conflist")
	if err := os.WriteFile(path, conf, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func (l *Lab) startNodes() error {
	for _, n := range l.Nodes {
		if err := l.StartNode(n); err != nil {
			return err
		}
	}
	return nil
}

// StartNode starts a node's simulator process. The spiderpool plugin it
// runs takes the node's RootFS as the host's root (SPIDERPOOL_CNI_ROOT), so
// the node agent's socket and the plugin's log are in the plugin's
// directories (docs/ipam.md, "Host paths a network configuration may name").
func (l *Lab) StartNode(n Node) error {
	env := []string{netconf.EnvRoot + "=" + n.RootFS()}
	return l.procs.startEnv(NodeProcess(n.Name), env, l.LabBinary, "node", "--dir", l.Dir, "--name", n.Name)
}

// StopNode stops a node's simulator process, as a node that dies would.
func (l *Lab) StopNode(n Node) error { return l.procs.stop(NodeProcess(n.Name), 10*time.Second) }
