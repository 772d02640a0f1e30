// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import "time"

// Variables of the controller's IP garbage collection and leader election
// (docs/reference/interface.md §4.3).
const (
	EnvGCIPEnabled                              = "SPIDERPOOL_GC_IP_ENABLED"
	EnvGCStatelessTerminatingPodOnReadyNode     = "SPIDERPOOL_GC_STATELESS_TERMINATING_POD_ON_READY_NODE_ENABLED"
	EnvGCStatelessTerminatingPodOnNotReadyNode  = "SPIDERPOOL_GC_STATELESS_TERMINATING_POD_ON_NOT_READY_NODE_ENABLED"
	EnvGCStatelessRunningPodOnEmptyPodStatusIPs = "SPIDERPOOL_GC_ENABLE_STATELESS_RUNNING_POD_ON_EMPTY_POD_STATUS_IPS"
	EnvGCIPWorkerNum                            = "SPIDERPOOL_GC_IP_WORKER_NUM"
	EnvGCChannelBuffer                          = "SPIDERPOOL_GC_CHANNEL_BUFFER"
	EnvGCMaxPodEntryDBCap                       = "SPIDERPOOL_GC_MAX_PODENTRY_DB_CAP"
	EnvGCDefaultIntervalDuration                = "SPIDERPOOL_GC_DEFAULT_INTERVAL_DURATION"
	EnvGCTracePodGapDuration                    = "SPIDERPOOL_GC_TRACE_POD_GAP_DURATION"
	EnvGCSignalTimeoutDuration                  = "SPIDERPOOL_GC_SIGNAL_TIMEOUT_DURATION"
	EnvGCHTTPRequestTimeGap                     = "SPIDERPOOL_GC_HTTP_REQUEST_TIME_GAP"
	EnvGCAdditionalGraceDelay                   = "SPIDERPOOL_GC_ADDITIONAL_GRACE_DELAY"
	EnvGCPodEntryMaxRetries                     = "SPIDERPOOL_GC_PODENTRY_MAX_RETRIES"
	EnvLeaderDuration                           = "SPIDERPOOL_LEADER_DURATION"
	EnvLeaderRenewDeadline                      = "SPIDERPOOL_LEADER_RENEW_DEADLINE"
	EnvLeaderRetryPeriod                        = "SPIDERPOOL_LEADER_RETRY_PERIOD"
	EnvLeaderRetryGap                           = "SPIDERPOOL_LEADER_RETRY_GAP"
)

// GCEnv is the controller's IP garbage collection settings. Defaults are in
// parentheses.
type GCEnv struct {
	// Enabled is SPIDERPOOL_GC_IP_ENABLED (true), the master switch.
	Enabled bool
	// StatelessTerminatingPodOnReadyNode is
	// SPIDERPOOL_GC_STATELESS_TERMINATING_POD_ON_READY_NODE_ENABLED (true).
	StatelessTerminatingPodOnReadyNode bool
	// StatelessTerminatingPodOnNotReadyNode is
	// SPIDERPOOL_GC_STATELESS_TERMINATING_POD_ON_NOT_READY_NODE_ENABLED (true).
	StatelessTerminatingPodOnNotReadyNode bool
	// StatelessRunningPodOnEmptyPodStatusIPs is
	// SPIDERPOOL_GC_ENABLE_STATELESS_RUNNING_POD_ON_EMPTY_POD_STATUS_IPS (false).
	StatelessRunningPodOnEmptyPodStatusIPs bool
	// WorkerNum is SPIDERPOOL_GC_IP_WORKER_NUM (3).
	WorkerNum int
	// ChannelBuffer is SPIDERPOOL_GC_CHANNEL_BUFFER (5000).
	ChannelBuffer int
	// MaxPodEntryDBCap is SPIDERPOOL_GC_MAX_PODENTRY_DB_CAP (100000).
	MaxPodEntryDBCap int
	// DefaultInterval is SPIDERPOOL_GC_DEFAULT_INTERVAL_DURATION (600 s), the
	// period of the full scan of all pools.
	DefaultInterval time.Duration
	// TracePodGap is SPIDERPOOL_GC_TRACE_POD_GAP_DURATION (5 s).
	TracePodGap time.Duration
	// SignalTimeout is SPIDERPOOL_GC_SIGNAL_TIMEOUT_DURATION (3 s).
	SignalTimeout time.Duration
	// HTTPRequestTimeGap is SPIDERPOOL_GC_HTTP_REQUEST_TIME_GAP (1 s).
	HTTPRequestTimeGap time.Duration
	// AdditionalGraceDelay is SPIDERPOOL_GC_ADDITIONAL_GRACE_DELAY (0 s), added
	// to a terminating pod's grace period.
	AdditionalGraceDelay time.Duration
	// PodEntryMaxRetries is SPIDERPOOL_GC_PODENTRY_MAX_RETRIES (5).
	PodEntryMaxRetries int
}

// LeaderElectionEnv is the controller's Lease settings; the Lease is
// spiderpool-controller-leases in the pod's namespace.
type LeaderElectionEnv struct {
	// LeaseDuration is SPIDERPOOL_LEADER_DURATION (15 s).
	LeaseDuration time.Duration
	// RenewDeadline is SPIDERPOOL_LEADER_RENEW_DEADLINE (10 s).
	RenewDeadline time.Duration
	// RetryPeriod is SPIDERPOOL_LEADER_RETRY_PERIOD (2 s).
	RetryPeriod time.Duration
	// RetryGap is SPIDERPOOL_LEADER_RETRY_GAP (1 s).
	RetryGap time.Duration
}

// gc reads the garbage collection settings.
func (r *envReader) gc() GCEnv {
	return GCEnv{
		Enabled:                                r.boolean(envVar{name: EnvGCIPEnabled, def: "true", required: true}),
		StatelessTerminatingPodOnReadyNode:     r.boolean(envVar{name: EnvGCStatelessTerminatingPodOnReadyNode, def: "true", required: true}),
		StatelessTerminatingPodOnNotReadyNode:  r.boolean(envVar{name: EnvGCStatelessTerminatingPodOnNotReadyNode, def: "true", required: true}),
		StatelessRunningPodOnEmptyPodStatusIPs: r.boolean(envVar{name: EnvGCStatelessRunningPodOnEmptyPodStatusIPs, def: "false"}),
		WorkerNum:                              r.count(envVar{name: EnvGCIPWorkerNum, def: "3", required: true}),
		ChannelBuffer:                          r.count(envVar{name: EnvGCChannelBuffer, def: "5000", required: true}),
		MaxPodEntryDBCap:                       r.count(envVar{name: EnvGCMaxPodEntryDBCap, def: "100000", required: true}),
		DefaultInterval:                        r.seconds(envVar{name: EnvGCDefaultIntervalDuration, def: "600", required: true}),
		TracePodGap:                            r.seconds(envVar{name: EnvGCTracePodGapDuration, def: "5", required: true}),
		SignalTimeout:                          r.seconds(envVar{name: EnvGCSignalTimeoutDuration, def: "3", required: true}),
		HTTPRequestTimeGap:                     r.seconds(envVar{name: EnvGCHTTPRequestTimeGap, def: "1", required: true}),
		AdditionalGraceDelay:                   r.seconds(envVar{name: EnvGCAdditionalGraceDelay, def: "0", required: true}),
		PodEntryMaxRetries:                     r.count(envVar{name: EnvGCPodEntryMaxRetries, def: "5", required: true}),
	}
}

// leaderElection reads the Lease settings.
func (r *envReader) leaderElection() LeaderElectionEnv {
	return LeaderElectionEnv{
		LeaseDuration: r.seconds(envVar{name: EnvLeaderDuration, def: "15", required: true}),
		RenewDeadline: r.seconds(envVar{name: EnvLeaderRenewDeadline, def: "10", required: true}),
		RetryPeriod:   r.seconds(envVar{name: EnvLeaderRetryPeriod, def: "2", required: true}),
		RetryGap:      r.seconds(envVar{name: EnvLeaderRetryGap, def: "1", required: true}),
	}
}
