// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// AgentProcess names the spiderpool-agent process of a node.
func AgentProcess(node string) string { return "agent-" + node }

// AgentSocket is the unix socket a node's agent serves the plugin on: the
// chart's /var/run/spidernet/spiderpool.sock under the node's root dir.
func (n Node) AgentSocket() string {
	return filepath.Join(n.RootFS(), "var", "run", "spidernet", "spiderpool.sock")
}

// AgentConfig is the node agent's conf.yml (the spiderpool-conf ConfigMap).
func (n Node) AgentConfig() string { return filepath.Join(n.Dir, "conf.yml") }

// MacvlanSpiderpool is the lab's network once the project is installed:
// macvlan on eth0 with the spiderpool IPAM plugin talking to the node's agent.
func MacvlanSpiderpool(n Node) ([]byte, error) {
	conf := map[string]any{
		"cniVersion": "1.1.0",
		"name":       "macvlan-eth0",
		"plugins": []any{map[string]any{
			"type": "macvlan", "master": "eth0", "mode": "bridge",
			"ipam": map[string]any{"type": "spiderpool", "ipam_unix_socket_path": n.AgentSocket()},
		}},
	}
	return json.MarshalIndent(conf, "", "  ")
}

func (l *Lab) startAgents(ctx context.Context) error {
	if l.AgentBinary == "" {
		return nil
	}
	for i := range l.Nodes {
		if err := l.StartAgent(l.Nodes[i]); err != nil {
			return err
		}
	}
	for _, n := range l.Nodes {
		url := "http://127.0.0.1:" + strconv.Itoa(n.AgentHealthPort) + "/v1/runtime/readiness"
		if err := waitHTTP(ctx, url, nil, 2*time.Minute); err != nil {
			return fmt.Errorf("agent of %s not ready (log: %s): %w", n.Name, l.procs.LogFile(AgentProcess(n.Name)), err)
		}
	}
	return nil
}

// AgentGOMAXPROCS is what the chart gives its agents: GOMAXPROCS from
// the container's CPU limit, 1 CPU by default (docs/benchmarks.md, "The
// agent's GOMAXPROCS"). Options.AgentEnv may override it.
const AgentGOMAXPROCS = "GOMAXPROCS=1"

// StartAgent starts a node's spiderpool-agent, configured as the chart
// configures it: conf.yml plus SPIDERPOOL_* environment variables.
func (l *Lab) StartAgent(n Node) error {
	if err := os.MkdirAll(filepath.Dir(n.AgentSocket()), 0o700); err != nil {
		return fmt.Errorf("agent socket dir: %w", err)
	}
	if err := writeConfig(n.AgentConfig(), l.agentConfig(n.AgentSocket())); err != nil {
		return err
	}
	env := []string{
		"KUBECONFIG=" + l.processKubeconfig(AgentServiceAccount),
		"SPIDERPOOL_NODE_NAME=" + n.Name,
		"SPIDERPOOL_POD_NAMESPACE=kube-system",
		"SPIDERPOOL_POD_NAME=spiderpool-agent-" + n.Name,
		"SPIDERPOOL_HEALTH_PORT=" + strconv.Itoa(n.AgentHealthPort),
		"SPIDERPOOL_ENABLED_METRIC=true",
		"SPIDERPOOL_METRIC_HTTP_PORT=" + strconv.Itoa(n.AgentMetricsPort),
		"SPIDERPOOL_GOPS_LISTEN_PORT=" + strconv.Itoa(n.AgentGopsPort),
		"SPIDERPOOL_LOG_LEVEL=info",
		AgentGOMAXPROCS,
	}
	env = append(env, l.AgentEnv...)
	return l.procs.startEnv(AgentProcess(n.Name), env, l.AgentBinary, "daemon", "--config-path", n.AgentConfig())
}

// StopAgent stops a node's agent, as a crashed or upgraded agent would be.
func (l *Lab) StopAgent(n Node) error { return l.procs.stop(AgentProcess(n.Name), 10*time.Second) }
