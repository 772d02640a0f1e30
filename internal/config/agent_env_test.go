// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zapcore"
)

// agentRequired is the smallest environment the agent accepts, as the chart's
// downward API sets it.
var agentRequired = env{
	EnvPodNamespace: "kube-system",
	EnvPodName:      "spiderpool-agent-x7k2p",
	EnvNodeName:     "node-1",
}

// agentDefaults is what agentRequired parses to.
func agentDefaults() AgentEnv {
	return AgentEnv{
		CommonEnv: CommonEnv{
			LogLevel:       zapcore.InfoLevel,
			HealthPort:     5710,
			MetricHTTPPort: 5711,
			GopsListenPort: 5712,
			PodNamespace:   "kube-system",
			PodName:        "spiderpool-agent-x7k2p",
		},
		NodeName:                 "node-1",
		EnableReleaseConflictIPs: true,
		IPPoolMaxAllocatedIPs:    5000,
		WaitSubnetPoolTime:       2 * time.Second,
		WaitSubnetPoolMaxRetries: 25,
	}
}

func TestParseAgentEnv(t *testing.T) {
	tests := []struct {
		name string
		env  env
		want func(*AgentEnv)
	}{
		{name: "defaults", env: agentRequired, want: func(*AgentEnv) {}},
		{name: "every variable overridden", env: agentRequired.with(
			EnvLogLevel, "DEBUG", EnvEnabledMetric, "true", EnvEnabledDebugMetric, "1", EnvEnabledRDMAMetric, "T",
			EnvHealthPort, "6710", EnvMetricHTTPPort, "6711", EnvGopsListenPort, "6712",
			EnvPyroscopeAddress, "http://pyroscope:4040", EnvEnabledReleaseConflictIPs, "false",
			EnvIPPoolMaxAllocated, "100", EnvWaitSubnetPoolTime, "7", EnvWaitSubnetPoolMaxRetries, "3",
			EnvMultusClusterNetwork, "kube-system/calico", EnvGitCommitVersion, "abc123",
			EnvGitCommitTime, "2024-01-01", EnvVersion, "v1.0.6",
		), want: func(e *AgentEnv) {
			e.LogLevel = zapcore.DebugLevel
			e.EnableMetric, e.EnableDebugMetric, e.EnableRDMAMetric = true, true, true
			e.HealthPort, e.MetricHTTPPort, e.GopsListenPort = 6710, 6711, 6712
			e.PyroscopeAddress = "http://pyroscope:4040"
			e.EnableReleaseConflictIPs = false
			e.IPPoolMaxAllocatedIPs = 100
			e.WaitSubnetPoolTime = 7 * time.Second
			e.WaitSubnetPoolMaxRetries = 3
			e.MultusClusterNetwork = "kube-system/calico"
			e.GitCommitVersion, e.GitCommitTime, e.Version = "abc123", "2024-01-01", "v1.0.6"
		}},
		{name: "values are trimmed", env: agentRequired.with(EnvNodeName, "  node-2\n", EnvHealthPort, " 8080 ", EnvEnabledMetric, "\ttrue "),
			want: func(e *AgentEnv) { e.NodeName, e.HealthPort, e.EnableMetric = "node-2", 8080, true }},
		{name: "set but empty optional gives the zero value, not the default", env: agentRequired.with(
			EnvGopsListenPort, "", EnvWaitSubnetPoolTime, " ", EnvWaitSubnetPoolMaxRetries, "", EnvEnabledMetric, ""),
			want: func(e *AgentEnv) { e.GopsListenPort, e.WaitSubnetPoolTime, e.WaitSubnetPoolMaxRetries = 0, 0, 0 }},
		{name: "port 0 and 65535", env: agentRequired.with(EnvHealthPort, "0", EnvMetricHTTPPort, "65535"),
			want: func(e *AgentEnv) { e.HealthPort, e.MetricHTTPPort = 0, 65535 }},
		{name: "log level any case", env: agentRequired.with(EnvLogLevel, "Warn"),
			want: func(e *AgentEnv) { e.LogLevel = zapcore.WarnLevel }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := agentDefaults()
			tc.want(&want)
			got, err := ParseAgentEnv(tc.env.lookup)
			if err != nil {
				t.Fatalf("ParseAgentEnv() error = %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ParseAgentEnv() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAgentEnvErrors(t *testing.T) {
	tests := []struct {
		name string
		env  env
		want []envProblem
	}{
		{name: "nothing set", env: env{}, want: []envProblem{missing(EnvPodNamespace), missing(EnvPodName), missing(EnvNodeName)}},
		{name: "required set but blank", env: agentRequired.with(EnvNodeName, "  "), want: []envProblem{missing(EnvNodeName)}},
		{name: "required with default set empty", env: agentRequired.with(EnvLogLevel, "", EnvHealthPort, "", EnvIPPoolMaxAllocated, "", EnvEnabledReleaseConflictIPs, ""),
			want: []envProblem{missing(EnvLogLevel), missing(EnvHealthPort), missing(EnvIPPoolMaxAllocated), missing(EnvEnabledReleaseConflictIPs)}},
		{name: "bad bool", env: agentRequired.with(EnvEnabledMetric, "yes"), want: []envProblem{invalid(EnvEnabledMetric)}},
		{name: "bad int", env: agentRequired.with(EnvIPPoolMaxAllocated, "5k"), want: []envProblem{invalid(EnvIPPoolMaxAllocated)}},
		{name: "negative int", env: agentRequired.with(EnvWaitSubnetPoolMaxRetries, "-1"), want: []envProblem{invalid(EnvWaitSubnetPoolMaxRetries)}},
		{name: "float seconds", env: agentRequired.with(EnvWaitSubnetPoolTime, "1.5"), want: []envProblem{invalid(EnvWaitSubnetPoolTime)}},
		{name: "seconds overflow", env: agentRequired.with(EnvWaitSubnetPoolTime, "9223372036854775807"), want: []envProblem{invalid(EnvWaitSubnetPoolTime)}},
		{name: "port out of range", env: agentRequired.with(EnvHealthPort, "65536"), want: []envProblem{invalid(EnvHealthPort)}},
		{name: "bad log level", env: agentRequired.with(EnvLogLevel, "verbose"), want: []envProblem{invalid(EnvLogLevel)}},
		{name: "every problem reported", env: agentRequired.without(EnvPodName).with(EnvEnabledRDMAMetric, "on", EnvMetricHTTPPort, "http", EnvLogLevel, "trace"),
			want: []envProblem{missing(EnvPodName), invalid(EnvEnabledRDMAMetric), invalid(EnvMetricHTTPPort), invalid(EnvLogLevel)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAgentEnv(tc.env.lookup)
			assertEnvProblems(t, err, tc.want...)
			if diff := cmp.Diff(AgentEnv{}, got); diff != "" {
				t.Errorf("result on error is not zero (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAgentEnvNilLookupUsesProcessEnv(t *testing.T) {
	for k, v := range agentRequired.with(EnvHealthPort, "7000") {
		t.Setenv(k, v)
	}
	got, err := ParseAgentEnv(nil)
	if err != nil {
		t.Fatalf("ParseAgentEnv(nil) error = %v", err)
	}
	if got.HealthPort != 7000 || got.NodeName != "node-1" {
		t.Errorf("ParseAgentEnv(nil) = %+v, want values from the process environment", got)
	}
}

func TestEnvErrorMessages(t *testing.T) {
	_, err := ParseAgentEnv(agentRequired.without(EnvNodeName).with(EnvHealthPort, "abc").lookup)
	want := "env SPIDERPOOL_HEALTH_PORT=\"abc\": invalid value, expected a port number from 0 to 65535\n" +
		"env SPIDERPOOL_NODE_NAME: required but not set or empty"
	if err == nil || err.Error() != want {
		t.Errorf("error =\n%v\nwant\n%s", err, want)
	}
}
