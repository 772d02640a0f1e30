// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/spiderpool-go/spiderpool/internal/plugininstall"
)

// DefaultCNIBinDir is where the chart mounts the host's CNI bin dir
// (global.cniBinHostPath) in the agent container, as Spiderpool's does.
const DefaultCNIBinDir = "/host/opt/cni/bin"

// newInstallPluginsCommand returns "spiderpool-agent install-plugins", the
// agent container's postStart hook: it copies the CNI plugins shipped next
// to the agent binary into the host's CNI bin dir (docs/chart.md, "CNI
// plugin installation") and prints one line per plugin.
func newInstallPluginsCommand() *cobra.Command {
	var srcDir, dstDir string
	var plugins []string
	cmd := &cobra.Command{
		Use:   "install-plugins",
		Short: "Copy the CNI plugins shipped with the agent into the host's CNI bin dir, atomically",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if srcDir == "" {
				exe, err := os.Executable()
				if err != nil {
					return fmt.Errorf("find the agent binary's dir: %w: pass --src-dir", err)
				}
				srcDir = filepath.Dir(exe)
			}
			res, err := plugininstall.Install(srcDir, dstDir, plugins)
			for _, r := range res {
				_, _ = fmt.Fprintln(cmd.OutOrStdout(), r) // a report; the files are what matters
			}
			return err
		},
	}
	cmd.Flags().StringVar(&srcDir, "src-dir", "", "dir of the plugin binaries (default: the dir of spiderpool-agent)")
	cmd.Flags().StringVar(&dstDir, "cni-bin-dir", DefaultCNIBinDir, "the host's CNI bin dir as mounted in the container")
	cmd.Flags().StringSliceVar(&plugins, "plugins", plugininstall.DefaultPlugins, "plugins to install")
	return cmd
}
