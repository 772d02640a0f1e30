// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// WaitAgentReady waits until node n's agent reports ready.
func (l *Lab) WaitAgentReady(ctx context.Context, n Node) error {
	url := "http://127.0.0.1:" + strconv.Itoa(n.AgentHealthPort) + "/v1/runtime/readiness"
	if err := waitHTTP(ctx, url, nil, 2*time.Minute); err != nil {
		return fmt.Errorf("agent of %s not ready (log: %s): %w", n.Name, l.procs.LogFile(AgentProcess(n.Name)), err)
	}
	return nil
}

// SwapAgents restarts every node's agent from binary (another build, for
// an A/B in one lab) and waits until all are ready again. The lab state
// file is not rewritten: the swap lasts as long as this Lab value.
func (l *Lab) SwapAgents(ctx context.Context, binary string) error {
	if binary == l.AgentBinary {
		return nil
	}
	return l.restartAgents(ctx, binary)
}

// RestartAgents restarts every node's agent, with l.AgentEnv as it is now,
// and waits until they are ready.
func (l *Lab) RestartAgents(ctx context.Context) error {
	return l.restartAgents(ctx, l.AgentBinary)
}

func (l *Lab) restartAgents(ctx context.Context, binary string) error {
	for _, n := range l.Nodes {
		if err := l.StopAgent(n); err != nil {
			return err
		}
	}
	l.AgentBinary = binary
	for _, n := range l.Nodes {
		if err := l.StartAgent(n); err != nil {
			return err
		}
	}
	for _, n := range l.Nodes {
		if err := l.WaitAgentReady(ctx, n); err != nil {
			return err
		}
	}
	return nil
}
