// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"context"
	"net/url"
	"time"
)

// PathCoordinatorConfig serves the coordinator plugin's cluster defaults:
// GET with the query parameters podNamespace and podName
// (docs/reference/interface.md §5.2). Spiderpool sends them as a JSON body
// on a GET; a query string is what HTTP clients and proxies expect.
const PathCoordinatorConfig = APIPrefix + "/coordinator/config"

// coordinatorTimeout bounds one configuration call; the agent answers from
// its cache.
const coordinatorTimeout = 30 * time.Second

// CoordinatorRequest names the pod the coordinator plugin configures.
type CoordinatorRequest struct {
	// PodNamespace is K8S_POD_NAMESPACE. Required.
	PodNamespace string `json:"podNamespace"`
	// PodName is K8S_POD_NAME. Required.
	PodName string `json:"podName"`
}

// Validate checks that the pod is named.
func (r *CoordinatorRequest) Validate() error {
	return checkRequired(required{"podNamespace", r.PodNamespace}, required{"podName", r.PodName})
}

// CoordinatorConfig is the SpiderCoordinator of the cluster as the plugin
// needs it: the spec, the CIDRs of its status, and the pod's
// ipam.spidernet.io/default-route-nic annotation folded into
// PodDefaultRouteNIC. Field names follow Spiderpool's CoordinatorConfig.
type CoordinatorConfig struct {
	// Mode is auto, underlay, overlay, disabled or disable.
	Mode string `json:"mode"`
	// OverlayPodCIDR are the CIDRs of the cluster's default CNI; never nil.
	OverlayPodCIDR []string `json:"overlayPodCIDR"`
	// ServiceCIDR are the cluster's service CIDRs; never nil.
	ServiceCIDR []string `json:"serviceCIDR"`
	// HijackCIDR are extra CIDRs routed through the node.
	HijackCIDR []string `json:"hijackCIDR,omitempty"`
	// PodMACPrefix is "xx:yy", or empty to keep the MAC.
	PodMACPrefix string `json:"podMACPrefix,omitempty"`
	// PodDefaultRouteNIC keeps the main default route; empty means eth0.
	PodDefaultRouteNIC string `json:"podDefaultRouteNIC,omitempty"`
	// TunePodRoutes moves each extra NIC's routes into its own table.
	TunePodRoutes bool `json:"tunePodRoutes"`
	// HostRuleTable is the node's table of routes to pods; 0 means 500.
	HostRuleTable int `json:"hostRuleTable,omitempty"`
	// PodRPFilter is the pod's rp_filter; negative leaves it alone.
	PodRPFilter int `json:"podRPFilter"`
	// TxQueueLen is set on the pod NIC when positive.
	TxQueueLen int `json:"txQueueLen,omitempty"`
	// VethLinkAddress is an IPv4 address for veth0; empty for none.
	VethLinkAddress string `json:"vethLinkAddress,omitempty"`
	// PolicyRoutes are extra routes of the pod (Spiderpool v1.2).
	PolicyRoutes []PolicyRoute `json:"policyRoutes,omitempty"`
	// VethMTU is the MTU of the veth pair; 0 means 1500 (Spiderpool v1.2).
	VethMTU int `json:"vethMTU,omitempty"`
}

// PolicyRoute is one extra route of the pod: a destination CIDR and the
// next hop.
type PolicyRoute struct {
	// Dst is a CIDR. Required.
	Dst string `json:"dst"`
	// Gw is the next hop. Required.
	Gw string `json:"gw"`
}

// Validate checks what the plugin cannot do without: a mode.
func (c *CoordinatorConfig) Validate() error {
	return checkRequired(required{"mode", c.Mode})
}

// CoordinatorHandler is what the agent implements to serve
// [PathCoordinatorConfig]. It should refuse with [CodeNotReady] while the
// cluster CIDRs are not known yet.
type CoordinatorHandler interface {
	CoordinatorConfig(ctx context.Context, req *CoordinatorRequest) (*CoordinatorConfig, error)
}

// CoordinatorConfig asks for the coordinator configuration of a pod; the
// response is validated.
func (c *Client) CoordinatorConfig(ctx context.Context, req *CoordinatorRequest) (*CoordinatorConfig, error) {
	q := url.Values{"podNamespace": {req.PodNamespace}, "podName": {req.PodName}}
	resp := &CoordinatorConfig{}
	if err := c.do(ctx, "GET", PathCoordinatorConfig+"?"+q.Encode(), coordinatorTimeout, nil, resp); err != nil {
		return nil, err
	}
	return resp, nil
}
