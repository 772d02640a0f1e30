// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zapcore"
)

// controllerRequired is the smallest environment the controller accepts.
var controllerRequired = env{
	EnvPodNamespace: "kube-system",
	EnvPodName:      "spiderpool-controller-5d9f",
}

// controllerDefaults is what controllerRequired parses to
// (docs/reference/interface.md §4.3).
func controllerDefaults() ControllerEnv {
	return ControllerEnv{
		CommonEnv: CommonEnv{
			LogLevel:       zapcore.InfoLevel,
			HealthPort:     5720,
			MetricHTTPPort: 5721,
			GopsListenPort: 5724,
			PodNamespace:   "kube-system",
			PodName:        "spiderpool-controller-5d9f",
		},
		WebhookPort:       5722,
		MetricRenewPeriod: 120 * time.Second,
		GC: GCEnv{
			Enabled:                               true,
			StatelessTerminatingPodOnReadyNode:    true,
			StatelessTerminatingPodOnNotReadyNode: true,
			WorkerNum:                             3,
			ChannelBuffer:                         5000,
			MaxPodEntryDBCap:                      100000,
			DefaultInterval:                       600 * time.Second,
			TracePodGap:                           5 * time.Second,
			SignalTimeout:                         3 * time.Second,
			HTTPRequestTimeGap:                    time.Second,
			PodEntryMaxRetries:                    5,
		},
		LeaderElection: LeaderElectionEnv{
			LeaseDuration: 15 * time.Second, RenewDeadline: 10 * time.Second,
			RetryPeriod: 2 * time.Second, RetryGap: time.Second,
		},
		IPPoolMaxAllocatedIPs:               5000,
		SubnetInformerResyncPeriod:          300 * time.Second,
		SubnetInformerWorkers:               5,
		SubnetInformerMaxWorkqueueLength:    10000,
		SubnetApplicationControllerWorkers:  5,
		DefaultCoordinatorName:              "default",
		CoordinatorInformerResyncPeriod:     60 * time.Second,
		CNIConfigDir:                        "/etc/cni/net.d",
		MultusConfigInformerResyncPeriod:    60 * time.Second,
		CiliumConfigMap:                     "kube-system/cilium-config",
		ControllerDeploymentName:            "spiderpool-controller",
		IPPoolInformerResyncPeriod:          300 * time.Second,
		IPPoolInformerWorkers:               3,
		AutoIPPoolHandlerMaxWorkqueueLength: 10000,
		WorkqueueMaxRetries:                 500,
		WorkqueueRetryDelay:                 5 * time.Second,
	}
}

func TestParseControllerEnv(t *testing.T) {
	tests := []struct {
		name string
		env  env
		want func(*ControllerEnv)
	}{
		{name: "defaults", env: controllerRequired, want: func(*ControllerEnv) {}},
		{name: "chart wiring", env: controllerRequired.with(
			EnvLogLevel, "info", EnvEnabledMetric, "false", EnvEnabledDebugMetric, "false",
			EnvMetricHTTPPort, "5721", EnvGopsListenPort, "5724", EnvWebhookPort, "5722", EnvHealthPort, "5720",
			EnvGCIPEnabled, "true", EnvGCStatelessTerminatingPodOnReadyNode, "true",
			EnvGCStatelessTerminatingPodOnNotReadyNode, "true", EnvGCStatelessRunningPodOnEmptyPodStatusIPs, "false",
			EnvGCAdditionalGraceDelay, "0", EnvGCDefaultIntervalDuration, "600",
			EnvMultusConfigEnabled, "true", EnvCNIConfigDir, "/etc/cni/net.d", EnvCoordinatorEnabled, "true",
			EnvCoordinatorDeafultName, "default", EnvCiliumConfigMap, "kube-system/cilium-config",
			EnvControllerDeploymentName, "spiderpool-controller",
		), want: func(e *ControllerEnv) { e.EnableMultusConfig, e.EnableCoordinator = true, true }},
		{name: "every variable overridden", env: controllerRequired.with(
			EnvLogLevel, "error", EnvEnabledMetric, "true", EnvEnabledDebugMetric, "true",
			EnvMetricRenewPeriod, "30", EnvHealthPort, "1", EnvMetricHTTPPort, "2", EnvWebhookPort, "3", EnvGopsListenPort, "4",
			EnvPyroscopeAddress, "p:1",
			EnvGCIPEnabled, "false", EnvGCStatelessTerminatingPodOnReadyNode, "false",
			EnvGCStatelessTerminatingPodOnNotReadyNode, "false", EnvGCStatelessRunningPodOnEmptyPodStatusIPs, "true",
			EnvGCIPWorkerNum, "9", EnvGCChannelBuffer, "10", EnvGCMaxPodEntryDBCap, "11",
			EnvGCDefaultIntervalDuration, "12", EnvGCTracePodGapDuration, "13", EnvGCSignalTimeoutDuration, "14",
			EnvGCHTTPRequestTimeGap, "15", EnvGCAdditionalGraceDelay, "16", EnvGCPodEntryMaxRetries, "17",
			EnvLeaderDuration, "30", EnvLeaderRenewDeadline, "20", EnvLeaderRetryPeriod, "4", EnvLeaderRetryGap, "3",
			EnvIPPoolMaxAllocated, "18", EnvSubnetInformerResyncPeriod, "19", EnvSubnetInformerWorkers, "20",
			EnvSubnetInformerMaxWorkqueueLength, "21", EnvSubnetApplicationControllerWorkers, "22",
			EnvCoordinatorEnabled, "true", EnvCoordinatorDeafultName, "coord", EnvCoordinatorInformerResyncPeriod, "23",
			EnvCNIConfigDir, "/host/cni", EnvMultusConfigEnabled, "true", EnvMultusConfigInformerResyncPeriod, "24",
			EnvCiliumConfigMap, "cilium/cfg", EnvControllerDeploymentName, "sp-ctrl",
			EnvIPPoolInformerResyncPeriod, "25", EnvIPPoolInformerWorkers, "26",
			EnvAutoIPPoolHandlerMaxWorkqueueLength, "27", EnvWorkqueueMaxRetries, "28", EnvWorkqueueRetryDelay, "29",
			EnvGitCommitVersion, "c", EnvGitCommitTime, "t", EnvVersion, "v", EnvClaimStorage, "true",
		), want: func(e *ControllerEnv) {
			e.CommonEnv = CommonEnv{
				LogLevel: zapcore.ErrorLevel, EnableMetric: true, EnableDebugMetric: true,
				HealthPort: 1, MetricHTTPPort: 2, GopsListenPort: 4, PyroscopeAddress: "p:1",
				PodNamespace: e.PodNamespace, PodName: e.PodName, GitCommitVersion: "c", GitCommitTime: "t", Version: "v",
			}
			e.WebhookPort, e.MetricRenewPeriod = 3, 30*time.Second
			e.GC = GCEnv{
				StatelessRunningPodOnEmptyPodStatusIPs: true, WorkerNum: 9, ChannelBuffer: 10, MaxPodEntryDBCap: 11,
				DefaultInterval: 12 * time.Second, TracePodGap: 13 * time.Second, SignalTimeout: 14 * time.Second,
				HTTPRequestTimeGap: 15 * time.Second, AdditionalGraceDelay: 16 * time.Second, PodEntryMaxRetries: 17,
			}
			e.LeaderElection = LeaderElectionEnv{30 * time.Second, 20 * time.Second, 4 * time.Second, 3 * time.Second}
			e.IPPoolMaxAllocatedIPs, e.SubnetInformerResyncPeriod, e.SubnetInformerWorkers = 18, 19*time.Second, 20
			e.SubnetInformerMaxWorkqueueLength, e.SubnetApplicationControllerWorkers = 21, 22
			e.EnableCoordinator, e.DefaultCoordinatorName, e.CoordinatorInformerResyncPeriod = true, "coord", 23*time.Second
			e.CNIConfigDir, e.EnableMultusConfig, e.MultusConfigInformerResyncPeriod = "/host/cni", true, 24*time.Second
			e.CiliumConfigMap, e.ControllerDeploymentName = "cilium/cfg", "sp-ctrl"
			e.IPPoolInformerResyncPeriod, e.IPPoolInformerWorkers = 25*time.Second, 26
			e.AutoIPPoolHandlerMaxWorkqueueLength, e.WorkqueueMaxRetries, e.WorkqueueRetryDelay = 27, 28, 29*time.Second
			e.ClaimStorage = true
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := controllerDefaults()
			tc.want(&want)
			got, err := ParseControllerEnv(tc.env.lookup)
			if err != nil {
				t.Fatalf("ParseControllerEnv() error = %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ParseControllerEnv() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseControllerEnvCoordinatorName checks both spellings
// (docs/compatibility.md #4): the correct one wins when both are set.
func TestParseControllerEnvCoordinatorName(t *testing.T) {
	tests := []struct {
		name string
		env  env
		want string
	}{
		{name: "neither", env: controllerRequired, want: "default"},
		{name: "misspelled only (chart)", env: controllerRequired.with(EnvCoordinatorDeafultName, "chart"), want: "chart"},
		{name: "correct only (docs)", env: controllerRequired.with(EnvCoordinatorDefaultName, "docs"), want: "docs"},
		{name: "both: correct wins", env: controllerRequired.with(EnvCoordinatorDeafultName, "chart", EnvCoordinatorDefaultName, "docs"), want: "docs"},
		{name: "correct set empty wins", env: controllerRequired.with(EnvCoordinatorDeafultName, "chart", EnvCoordinatorDefaultName, ""), want: ""},
		{name: "trimmed", env: controllerRequired.with(EnvCoordinatorDefaultName, " docs "), want: "docs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseControllerEnv(tc.env.lookup)
			if err != nil {
				t.Fatalf("ParseControllerEnv() error = %v", err)
			}
			if got.DefaultCoordinatorName != tc.want {
				t.Errorf("DefaultCoordinatorName = %q, want %q", got.DefaultCoordinatorName, tc.want)
			}
		})
	}
}

func TestParseControllerEnvErrors(t *testing.T) {
	tests := []struct {
		name string
		env  env
		want []envProblem
	}{
		{name: "nothing set", env: env{}, want: []envProblem{missing(EnvPodNamespace), missing(EnvPodName)}},
		{name: "required with default set empty", env: controllerRequired.with(EnvWebhookPort, "", EnvGCIPEnabled, " ", EnvLeaderDuration, "", EnvWorkqueueRetryDelay, ""),
			want: []envProblem{missing(EnvWebhookPort), missing(EnvGCIPEnabled), missing(EnvLeaderDuration), missing(EnvWorkqueueRetryDelay)}},
		{name: "bad values named", env: controllerRequired.with(
			EnvGCIPEnabled, "enabled", EnvGCIPWorkerNum, "three", EnvLeaderDuration, "15s", EnvWebhookPort, "-1",
			EnvCoordinatorEnabled, "yes", EnvMetricRenewPeriod, "2m"),
			want: []envProblem{invalid(EnvGCIPEnabled), invalid(EnvGCIPWorkerNum), invalid(EnvLeaderDuration),
				invalid(EnvWebhookPort), invalid(EnvCoordinatorEnabled), invalid(EnvMetricRenewPeriod)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseControllerEnv(tc.env.lookup)
			assertEnvProblems(t, err, tc.want...)
			if diff := cmp.Diff(ControllerEnv{}, got); diff != "" {
				t.Errorf("result on error is not zero (-want +got):\n%s", diff)
			}
		})
	}
}

// controllerDefaultsEnv names every controller variable, with its default.
func controllerDefaultsEnv() env {
	return env{
		EnvLogLevel: "info", EnvEnabledMetric: "false", EnvEnabledDebugMetric: "false", EnvMetricRenewPeriod: "120",
		EnvHealthPort: "5720", EnvMetricHTTPPort: "5721", EnvWebhookPort: "5722", EnvGopsListenPort: "5724",
		EnvPyroscopeAddress: "", EnvGCIPEnabled: "true", EnvGCStatelessTerminatingPodOnReadyNode: "true",
		EnvGCStatelessTerminatingPodOnNotReadyNode: "true", EnvGCStatelessRunningPodOnEmptyPodStatusIPs: "false",
		EnvGCIPWorkerNum: "3", EnvGCChannelBuffer: "5000", EnvGCMaxPodEntryDBCap: "100000",
		EnvGCDefaultIntervalDuration: "600", EnvGCTracePodGapDuration: "5", EnvGCSignalTimeoutDuration: "3",
		EnvGCHTTPRequestTimeGap: "1", EnvGCAdditionalGraceDelay: "0", EnvGCPodEntryMaxRetries: "5",
		EnvLeaderDuration: "15", EnvLeaderRenewDeadline: "10", EnvLeaderRetryPeriod: "2", EnvLeaderRetryGap: "1",
		EnvIPPoolMaxAllocated: "5000", EnvSubnetInformerResyncPeriod: "300", EnvSubnetInformerWorkers: "5",
		EnvSubnetInformerMaxWorkqueueLength: "10000", EnvSubnetApplicationControllerWorkers: "5",
		EnvCoordinatorEnabled: "false", EnvCoordinatorInformerResyncPeriod: "60", EnvCNIConfigDir: "/etc/cni/net.d",
		EnvMultusConfigEnabled: "false", EnvMultusConfigInformerResyncPeriod: "60",
		EnvCiliumConfigMap: "kube-system/cilium-config", EnvControllerDeploymentName: "spiderpool-controller",
		EnvIPPoolInformerResyncPeriod: "300", EnvIPPoolInformerWorkers: "3",
		EnvAutoIPPoolHandlerMaxWorkqueueLength: "10000", EnvWorkqueueMaxRetries: "500", EnvWorkqueueRetryDelay: "5",
		EnvGitCommitVersion: "", EnvGitCommitTime: "", EnvVersion: "", EnvClaimStorage: "false",
	}
}

// TestControllerExplicitDefaults checks that setting every controller
// variable to its documented default gives the same result as setting none.
func TestControllerExplicitDefaults(t *testing.T) {
	got, err := ParseControllerEnv(controllerRequired.lookup)
	if err != nil {
		t.Fatal(err)
	}
	explicit := controllerDefaultsEnv()
	for k, v := range controllerRequired {
		explicit[k] = v
	}
	explicit[EnvCoordinatorDeafultName] = "default"
	want, err := ParseControllerEnv(explicit.lookup)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("explicit defaults differ from implicit ones (-explicit +implicit):\n%s", diff)
	}
}
