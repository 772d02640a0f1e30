// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"strconv"

	"go.uber.org/zap/zapcore"
)

// Variables read by both spiderpool-agent and spiderpool-controller
// (docs/reference/interface.md §4.2, §4.3).
const (
	EnvLogLevel           = "SPIDERPOOL_LOG_LEVEL"
	EnvEnabledMetric      = "SPIDERPOOL_ENABLED_METRIC"
	EnvEnabledDebugMetric = "SPIDERPOOL_ENABLED_DEBUG_METRIC"
	EnvHealthPort         = "SPIDERPOOL_HEALTH_PORT"
	EnvMetricHTTPPort     = "SPIDERPOOL_METRIC_HTTP_PORT"
	EnvGopsListenPort     = "SPIDERPOOL_GOPS_LISTEN_PORT"
	EnvPyroscopeAddress   = "SPIDERPOOL_PYROSCOPE_PUSH_SERVER_ADDRESS"
	EnvPodNamespace       = "SPIDERPOOL_POD_NAMESPACE"
	EnvPodName            = "SPIDERPOOL_POD_NAME"
	EnvIPPoolMaxAllocated = "SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS"
	EnvGitCommitVersion   = "GIT_COMMIT_VERSION"
	EnvGitCommitTime      = "GIT_COMMIT_TIME"
	EnvVersion            = "VERSION"
)

// CommonEnv holds the variables spiderpool-agent and spiderpool-controller
// share. Only the port defaults differ between the two.
type CommonEnv struct {
	// LogLevel is SPIDERPOOL_LOG_LEVEL (info).
	LogLevel zapcore.Level
	// EnableMetric is SPIDERPOOL_ENABLED_METRIC (false).
	EnableMetric bool
	// EnableDebugMetric is SPIDERPOOL_ENABLED_DEBUG_METRIC (false).
	EnableDebugMetric bool
	// HealthPort is SPIDERPOOL_HEALTH_PORT, the HTTP probe port.
	HealthPort int
	// MetricHTTPPort is SPIDERPOOL_METRIC_HTTP_PORT.
	MetricHTTPPort int
	// GopsListenPort is SPIDERPOOL_GOPS_LISTEN_PORT, on 127.0.0.1.
	GopsListenPort int
	// PyroscopeAddress is SPIDERPOOL_PYROSCOPE_PUSH_SERVER_ADDRESS ("").
	PyroscopeAddress string
	// PodNamespace is SPIDERPOOL_POD_NAMESPACE (required).
	PodNamespace string
	// PodName is SPIDERPOOL_POD_NAME (required).
	PodName string
	// GitCommitVersion is GIT_COMMIT_VERSION, informational.
	GitCommitVersion string
	// GitCommitTime is GIT_COMMIT_TIME, informational.
	GitCommitTime string
	// Version is VERSION, informational.
	Version string
}

// ports are a binary's default ports.
type ports struct {
	health, metric, gops int
}

// common reads the shared variables with the given default ports.
func (r *envReader) common(p ports) CommonEnv {
	return CommonEnv{
		LogLevel:          r.logLevel(envVar{name: EnvLogLevel, def: "info", required: true}),
		EnableMetric:      r.boolean(envVar{name: EnvEnabledMetric, def: "false"}),
		EnableDebugMetric: r.boolean(envVar{name: EnvEnabledDebugMetric, def: "false"}),
		HealthPort:        r.port(envVar{name: EnvHealthPort, def: strconv.Itoa(p.health), required: true}),
		MetricHTTPPort:    r.port(envVar{name: EnvMetricHTTPPort, def: strconv.Itoa(p.metric), required: true}),
		GopsListenPort:    r.port(envVar{name: EnvGopsListenPort, def: strconv.Itoa(p.gops)}),
		PyroscopeAddress:  r.str(envVar{name: EnvPyroscopeAddress}),
		PodNamespace:      r.str(envVar{name: EnvPodNamespace, required: true}),
		PodName:           r.str(envVar{name: EnvPodName, required: true}),
		GitCommitVersion:  r.str(envVar{name: EnvGitCommitVersion}),
		GitCommitTime:     r.str(envVar{name: EnvGitCommitTime}),
		Version:           r.str(envVar{name: EnvVersion}),
	}
}
