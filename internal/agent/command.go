// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/debugserver"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/logging"
)

// NewCommand returns the spiderpool-agent command: "spiderpool-agent daemon
// --config-path conf.yml", configured like Spiderpool's agent by the
// spiderpool-conf ConfigMap file and SPIDERPOOL_* environment variables,
// and "spiderpool-agent install-plugins", the container's postStart hook.
func NewCommand() *cobra.Command {
	root := &cobra.Command{Use: "spiderpool-agent", Short: "Spiderpool node agent: serves IPAM to the spiderpool CNI plugin", SilenceUsage: true}
	var configPath string
	daemon := &cobra.Command{
		Use:   "daemon",
		Short: "Run the agent",
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, env, err := loadOptions(configPath, os.LookupEnv)
			if err != nil {
				return err
			}
			ctx := logging.Setup(cmd.Context(), env.LogLevel)
			restConfig, err := ctrl.GetConfig()
			if err != nil {
				return fmt.Errorf("kubeconfig: %w", err)
			}
			debugserver.StartGops(ctx, env.GopsListenPort)
			return Run(ctx, opts, restConfig)
		},
	}
	daemon.Flags().StringVar(&configPath, "config-path", config.DefaultConfigMapPath, "path of conf.yml from the spiderpool-conf ConfigMap")
	root.AddCommand(daemon, newInstallPluginsCommand())
	return root
}

func loadOptions(path string, lookup config.LookupFunc) (Options, config.AgentEnv, error) {
	cm, err := config.LoadConfigMap(path)
	if err != nil {
		return Options{}, config.AgentEnv{}, err
	}
	env, err := config.ParseAgentEnv(lookup)
	if err != nil {
		return Options{}, config.AgentEnv{}, err
	}
	return Options{
		IPAM: ipam.Config{
			EnableIPv4: cm.EnableIPv4, EnableIPv6: cm.EnableIPv6, EnableStatefulSet: cm.EnableStatefulSet,
			EnableKubevirtStaticIP: cm.EnableKubevirtStaticIP,
			EnableSpiderSubnet:     cm.EnableSpiderSubnet, EnableAutoPoolForApplication: cm.EnableAutoPoolForApplication,
			DefaultRedundantIPNumber: cm.ClusterSubnetDefaultFlexibleIPNumber,
			AutoPoolWait:             env.WaitSubnetPoolTime * time.Duration(env.WaitSubnetPoolMaxRetries),
			MaxAllocatedIPs:          env.IPPoolMaxAllocatedIPs, AgentNamespace: env.PodNamespace,
			ClusterNetwork: env.MultusClusterNetwork, NodeName: env.NodeName,
		},
		SocketPath:                cm.IPAMUnixSocketPath,
		HealthAddr:                net.JoinHostPort("", strconv.Itoa(env.HealthPort)),
		MetricsAddr:               metricsAddr(env.CommonEnv),
		EnableRDMAMetric:          env.EnableRDMAMetric,
		EnableGatewayDetection:    cm.EnableGatewayDetection,
		EnableIPConflictDetection: cm.EnableIPConflictDetection,
		EnableReleaseConflictIPs:  env.EnableReleaseConflictIPs,
		TuneSysctls:               cm.TuneSysctlConfig,
		ClaimStorage:              env.ClaimStorage,
	}, env, nil
}
