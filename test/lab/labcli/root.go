// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package labcli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/spiderpool-go/spiderpool/test/lab"
)

// NewCommand returns the spiderlab root command.
func NewCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "spiderlab",
		Short:         "Local lab cluster: real etcd, kube-apiserver, controller-manager, scheduler and simulated nodes with real CNI",
		SilenceUsage:  true,
		SilenceErrors: false,
	}
	root.PersistentPreRun = func(*cobra.Command, []string) {
		// Libraries the lab uses (envtest's CRD installer) log through
		// controller-runtime; keep them quiet unless a command says otherwise.
		ctrl.SetLogger(logr.Discard())
	}
	root.AddCommand(newUpCommand(), newDownCommand(), newStatusCommand(), newNodeCommand())
	return root
}

func newUpCommand() *cobra.Command {
	var opts lab.Options
	var cniDirs, crdDirs, chartValues string
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Bring the lab up and print its kubeconfig path",
		RunE: func(cmd *cobra.Command, _ []string) error {
			self, err := os.Executable()
			if err != nil {
				return fmt.Errorf("find own binary: %w", err)
			}
			opts.LabBinary, opts.Progress = self, cmd.ErrOrStderr()
			opts.CNIBinDirs, opts.CRDDirs = splitList(cniDirs), splitList(crdDirs)
			opts.ChartValues = splitValues(chartValues)
			if opts.Chart != "" && opts.HostBinDir == "" {
				opts.HostBinDir = filepath.Dir(self)
			}
			l, err := lab.Up(cmd.Context(), opts)
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(cmd.OutOrStdout(), "export KUBECONFIG=%s\n", l.Kubeconfig); err != nil {
				return fmt.Errorf("print the kubeconfig path: %w", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Name, "name", "lab", "lab name (at most 6 characters); prefixes its network namespaces")
	f.StringVar(&opts.Dir, "dir", "_output/lab", "lab state directory")
	f.IntVar(&opts.Nodes, "nodes", 3, "number of simulated nodes")
	f.StringVar(&opts.K8sBinDir, "k8s-bin", "", "directory with etcd and the Kubernetes binaries (hack/testbin.sh prints it)")
	f.StringVar(&cniDirs, "cni-bin", "", "comma-separated directories with CNI plugins")
	f.StringVar(&crdDirs, "crds", "", "comma-separated directories of CRD manifests to install")
	f.StringVar(&opts.ControllerBinary, "controller", "", "spiderpool-controller binary (webhooks, status, GC); empty: none")
	f.IntVar(&opts.Controllers, "controllers", 1, "number of spiderpool-controller replicas (leader election)")
	f.StringVar(&opts.AgentBinary, "agent", "", "spiderpool-agent binary to run on every node (its directory must hold the spiderpool plugin); empty: macvlan + host-local")
	f.StringVar(&opts.Chart, "chart", "", "spiderpool Helm chart dir: helm install it (chart mode), or, with --agent/--controller, apply only its ServiceAccounts and RBAC")
	f.StringVar(&opts.HelmBinary, "helm", "", "helm binary (needed with --chart)")
	f.StringVar(&opts.HostBinDir, "bin-dir", "", "directory of spiderpool-agent, -controller, -init and the spiderpool, coordinator and ifacer plugins (default: spiderlab's own directory)")
	f.StringVar(&chartValues, "set", "", "extra helm values, KEY=VALUE separated by semicolons")
	f.BoolVar(&opts.KubeletNode, "kubelet-node", false, "add a node that is a real kubelet on containerd (needs --pause; in chart mode the chart's agent runs there as a process)")
	f.StringVar(&opts.PauseBinary, "pause", "", "static pause binary for the kubelet node's sandbox image (CGO_ENABLED=0 go build ./test/lab/pause)")
	return cmd
}

func newDownCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Stop the lab's processes by PID and remove its namespaces and files",
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := lab.Load(dir)
			if err != nil {
				return err
			}
			return l.Down(cmd.Context())
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "_output/lab", "lab state directory")
	return cmd
}

func newStatusCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the lab's processes, nodes and namespaces",
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := lab.Load(dir)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "kubeconfig: %s\nserver:     %s\nrunning:    %s\nnetns:      %s\n",
				l.Kubeconfig, l.Server(), strings.Join(l.Running(), " "), strings.Join(l.NetNSes(), " "))
			if err != nil {
				return fmt.Errorf("print the status: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "_output/lab", "lab state directory")
	return cmd
}

// splitValues splits helm values on semicolons: a value may hold commas.
func splitValues(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
