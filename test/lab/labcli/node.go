// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package labcli

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"
	"go.uber.org/zap/zapcore"

	"github.com/spiderpool-go/spiderpool/internal/logging"
	"github.com/spiderpool-go/spiderpool/test/lab"
	"github.com/spiderpool-go/spiderpool/test/lab/nodesim"
)

func newNodeCommand() *cobra.Command {
	var dir, name string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "node",
		Short: "Run one simulated node (kubelet and container-runtime networking); started by up",
		// Its own hook replaces the root's, which would set a discarding
		// logger first: controller-runtime keeps the first one set.
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			level := logging.DefaultLevel
			if verbose {
				level = zapcore.DebugLevel
			}
			cmd.SetContext(logging.Setup(cmd.Context(), level))
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := lab.Load(dir)
			if err != nil {
				return err
			}
			cfg, err := nodeConfig(l, name)
			if err != nil {
				return err
			}
			rc, err := l.RESTConfig()
			if err != nil {
				return err
			}
			return nodesim.Run(cmd.Context(), cfg, rc)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "_output/lab", "lab state directory")
	cmd.Flags().StringVar(&name, "name", "", "node name")
	cmd.Flags().BoolVar(&verbose, "verbose", false, "debug logging")
	return cmd
}

func nodeConfig(l *lab.Lab, name string) (nodesim.Config, error) {
	for _, n := range l.Nodes {
		if n.Name != name {
			continue
		}
		return nodesim.Config{
			NodeName:         n.Name,
			NodeIP:           n.IP,
			HostNetNS:        n.NetNSPath(),
			CNIConfDir:       n.CNIConfDir(),
			CNIBinDirs:       l.NodeCNIBinDirs(n),
			CNICacheDir:      filepath.Join(n.Dir, "cni-cache"),
			StateDir:         filepath.Join(n.Dir, "state"),
			NetNSPrefix:      l.PodNetNSPrefix(),
			SpiderpoolSocket: agentSocket(l, n),
			HostBinDir:       l.HostBinDir,
			RootFS:           n.RootFS(),
			PodsDir:          filepath.Join(n.Dir, "pods"),
			LogDir:           filepath.Join(l.Dir, "logs"),
			IgnorePods:       l.PassiveNodes,
		}, nil
	}
	return nodesim.Config{}, fmt.Errorf("node %q is not in the lab at %s", name, l.Dir)
}

// agentSocket is the node agent's socket, when the lab runs agents.
func agentSocket(l *lab.Lab, n lab.Node) string {
	if l.AgentBinary == "" && !l.ChartMode() {
		return ""
	}
	return n.AgentSocket()
}
