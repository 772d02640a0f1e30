// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

const (
	// ReleaseName is the lab's Helm release of the chart.
	ReleaseName = "spiderpool"
	// ReleaseNamespace is the release's namespace.
	ReleaseNamespace = "kube-system"
	// helmTimeout bounds helm install, upgrade and uninstall.
	helmTimeout = "5m"
)

// Default pools spiderpool-init creates in chart mode: the lab's dual-stack
// underlay (the CIDRs of test/e2e/manifests/pools.yaml).
const (
	DefaultIPv4PoolName = "default-v4-ippool"
	DefaultIPv6PoolName = "default-v6-ippool"
)

// ChartMode reports whether the project runs from its Helm chart.
func (l *Lab) ChartMode() bool {
	return l.Chart != "" && l.AgentBinary == "" && l.ControllerBinary == ""
}

// chartValues are the --set values the lab needs on one host: free loopback
// ports for the controller, its webhooks on loopback, metrics on, no
// sysctl tuning (never touch the host's), no Multus, the default pools,
// Recreate for the controller (every replica on one host binds the same
// ports) and, with the kubelet node, the affinities keeping the agent and
// the controller off it.
func (l *Lab) chartValues() []string {
	p := l.ChartPorts
	vals := []string{
		"spiderpoolController.httpPort=" + strconv.Itoa(p.Health),
		"spiderpoolController.webhookPort=" + strconv.Itoa(p.Webhook),
		"spiderpoolController.prometheus.port=" + strconv.Itoa(p.Metrics),
		"spiderpoolController.debug.gopsPort=" + strconv.Itoa(p.Gops),
		"spiderpoolController.prometheus.enabled=true",
		"spiderpoolController.webhookURL=https://127.0.0.1:" + strconv.Itoa(p.Webhook),
		"spiderpoolController.tls.auto.extraIpAddresses={127.0.0.1}",
		"spiderpoolController.updateStrategy.type=Recreate",
		"spiderpoolAgent.prometheus.enabled=true",
		"spiderpoolAgent.tuneSysctlConfig=false",
		"multus.multusCNI.install=false",
		"clusterDefaultPool.installIPv4IPPool=true",
		"clusterDefaultPool.installIPv6IPPool=true",
		"clusterDefaultPool.ipv4IPPoolName=" + DefaultIPv4PoolName,
		"clusterDefaultPool.ipv6IPPoolName=" + DefaultIPv6PoolName,
		"clusterDefaultPool.ipv4Subnet=10.250.0.0/16",
		"clusterDefaultPool.ipv4IPRanges={10.250.1.10-10.250.1.250}",
		"clusterDefaultPool.ipv4Gateway=10.250.0.1",
		"clusterDefaultPool.ipv6Subnet=fd00:250::/64",
		"clusterDefaultPool.ipv6IPRanges={fd00:250::10-fd00:250::fff}",
		"clusterDefaultPool.ipv6Gateway=fd00:250::1",
	}
	if l.KubeletNode != nil {
		vals = append(vals, kubeletNodeChartValues()...)
	}
	return append(vals, l.ChartValues...)
}

// installChart runs helm install and waits for the pods and the init Job.
func (l *Lab) installChart(ctx context.Context) error {
	if !l.ChartMode() {
		return nil
	}
	return l.helm(ctx, l.releaseArgs("install", l.chartValues())...)
}

// HelmUpgrade runs helm upgrade of the lab's release with the lab's values
// plus values (KEY=VALUE, as --set), and waits for the rollout.
func (l *Lab) HelmUpgrade(ctx context.Context, values ...string) error {
	return l.helm(ctx, l.releaseArgs("upgrade", append(l.chartValues(), values...))...)
}

// HelmUninstall runs helm uninstall (the pre-delete cleanup Job first) and
// waits for the release's objects to be gone.
func (l *Lab) HelmUninstall(ctx context.Context) error {
	return l.helm(ctx, "uninstall", ReleaseName, "--namespace", ReleaseNamespace, "--wait", "--timeout", helmTimeout)
}

func (l *Lab) releaseArgs(verb string, values []string) []string {
	args := []string{verb, ReleaseName, l.Chart, "--namespace", ReleaseNamespace, "--wait", "--timeout", helmTimeout}
	for _, v := range values {
		args = append(args, "--set", v)
	}
	return args
}

// Helm runs the lab's helm with the lab's kubeconfig and returns its output.
func (l *Lab) Helm(ctx context.Context, args ...string) ([]byte, error) {
	home := filepath.Join(l.Dir, "helm")
	cmd := exec.CommandContext(ctx, l.HelmBinary, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+l.Kubeconfig, "HELM_CACHE_HOME="+home+"/cache",
		"HELM_CONFIG_HOME="+home+"/config", "HELM_DATA_HOME="+home+"/data")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("helm %s: %w: %s", strings.Join(args[:min(2, len(args))], " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func (l *Lab) helm(ctx context.Context, args ...string) error {
	_, err := l.Helm(ctx, args...)
	return err
}
