// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import "time"

// Variables read only by spiderpool-agent (docs/reference/interface.md §4.2).
const (
	EnvNodeName                  = "SPIDERPOOL_NODE_NAME"
	EnvEnabledRDMAMetric         = "SPIDERPOOL_ENABLED_RDMA_METRIC"
	EnvEnabledReleaseConflictIPs = "SPIDERPOOL_ENABLED_RELEASE_CONFLICT_IPS"
	EnvWaitSubnetPoolTime        = "SPIDERPOOL_WAIT_SUBNET_POOL_TIME_IN_SECOND"
	EnvWaitSubnetPoolMaxRetries  = "SPIDERPOOL_WAIT_SUBNET_POOL_MAX_RETRIES"
	EnvMultusClusterNetwork      = "MULTUS_CLUSTER_NETWORK"
)

// Default ports of spiderpool-agent.
const (
	DefaultAgentHealthPort     = 5710
	DefaultAgentMetricHTTPPort = 5711
	DefaultAgentGopsListenPort = 5712
)

// AgentEnv is the environment of spiderpool-agent
// (docs/reference/interface.md §4.2).
type AgentEnv struct {
	CommonEnv
	// NodeName is SPIDERPOOL_NODE_NAME (required), the agent's node.
	NodeName string
	// EnableRDMAMetric is SPIDERPOOL_ENABLED_RDMA_METRIC (false).
	EnableRDMAMetric bool
	// EnableReleaseConflictIPs is SPIDERPOOL_ENABLED_RELEASE_CONFLICT_IPS
	// (true): stateless pods may release IPs found in conflict.
	EnableReleaseConflictIPs bool
	// IPPoolMaxAllocatedIPs is SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS (5000), the
	// cap on allocation records per pool.
	IPPoolMaxAllocatedIPs int
	// WaitSubnetPoolTime is SPIDERPOOL_WAIT_SUBNET_POOL_TIME_IN_SECOND (2 s),
	// the gap between retries while waiting for an auto-created pool.
	WaitSubnetPoolTime time.Duration
	// WaitSubnetPoolMaxRetries is SPIDERPOOL_WAIT_SUBNET_POOL_MAX_RETRIES (25).
	WaitSubnetPoolMaxRetries int
	// MultusClusterNetwork is MULTUS_CLUSTER_NETWORK ("<ns>/<name>" of the
	// cluster default NetworkAttachmentDefinition, or "").
	MultusClusterNetwork string
	// ClaimStorage is SPIDERPOOL_CLAIM_STORAGE (false): allocate and release
	// by SpiderIPClaims (docs/ipam.md); set it on the agents and the
	// controller together.
	ClaimStorage bool
}

// ParseAgentEnv reads the spiderpool-agent environment through lookup
// (os.LookupEnv if nil). The error joins an [*EnvError] per problem.
func ParseAgentEnv(lookup LookupFunc) (AgentEnv, error) {
	r := newEnvReader(lookup)
	env := AgentEnv{
		CommonEnv:                r.common(ports{DefaultAgentHealthPort, DefaultAgentMetricHTTPPort, DefaultAgentGopsListenPort}),
		NodeName:                 r.str(envVar{name: EnvNodeName, required: true}),
		EnableRDMAMetric:         r.boolean(envVar{name: EnvEnabledRDMAMetric, def: "false"}),
		EnableReleaseConflictIPs: r.boolean(envVar{name: EnvEnabledReleaseConflictIPs, def: "true", required: true}),
		IPPoolMaxAllocatedIPs:    r.count(envVar{name: EnvIPPoolMaxAllocated, def: "5000", required: true}),
		WaitSubnetPoolTime:       r.seconds(envVar{name: EnvWaitSubnetPoolTime, def: "2"}),
		WaitSubnetPoolMaxRetries: r.count(envVar{name: EnvWaitSubnetPoolMaxRetries, def: "25"}),
		MultusClusterNetwork:     r.str(envVar{name: EnvMultusClusterNetwork}),
		ClaimStorage:             r.boolean(envVar{name: EnvClaimStorage, def: "false"}),
	}
	if err := r.err(); err != nil {
		return AgentEnv{}, err
	}
	return env, nil
}
