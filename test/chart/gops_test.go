// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

// TestGopsOff checks that debug.gopsPort 0 passes the schema and reaches
// both daemons as SPIDERPOOL_GOPS_LISTEN_PORT=0, which they read as "no
// gops agent" (docs/chart.md).
func TestGopsOff(t *testing.T) {
	e := newChartEnv(t)
	objs := e.template(t, with("spiderpoolAgent.debug.gopsPort", 0, "spiderpoolController.debug.gopsPort", 0))
	agent := objs.daemonSet(t, "spiderpool-agent").Spec.Template.Spec.Containers[0]
	ctrl := objs.deployment(t, "spiderpool-controller").Spec.Template.Spec.Containers[0]
	checkEnv(t, agent, map[string]string{"SPIDERPOOL_GOPS_LISTEN_PORT": "0"})
	checkEnv(t, ctrl, map[string]string{"SPIDERPOOL_GOPS_LISTEN_PORT": "0"})
	agentEnv, err := config.ParseAgentEnv(lookupIn(agent))
	if err != nil {
		t.Fatalf("the agent rejects the chart's environment: %v", err)
	}
	ctrlEnv, err := config.ParseControllerEnv(lookupIn(ctrl))
	if err != nil {
		t.Fatalf("the controller rejects the chart's environment: %v", err)
	}
	if agentEnv.GopsListenPort != 0 || ctrlEnv.GopsListenPort != 0 {
		t.Errorf("gops ports: agent %d, controller %d; want 0 (off)", agentEnv.GopsListenPort, ctrlEnv.GopsListenPort)
	}
	if err := e.lint(t, with("spiderpoolAgent.debug.gopsPort", -1), false); err == nil {
		t.Error("debug.gopsPort -1 passes the schema")
	}
}
