// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"net/netip"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// Defaults of the resolved configuration.
const (
	// DefaultHostRuleTable holds the node's routes to pods.
	DefaultHostRuleTable = 500
	// DefaultVethMTU is the MTU of the veth pair.
	DefaultVethMTU = 1500
	// DefaultPodCniNic is the pod's first NIC.
	DefaultPodCniNic = "eth0"
)

// Where a value came from, for error messages.
const (
	sourceNetConf = "the network config"
	sourceAgent   = "the SpiderCoordinator"
	sourceDefault = "the default"
)

// Config is the configuration the plugin acts on: the SpiderCoordinator's
// values overridden by the network configuration's, parsed and checked.
type Config struct {
	// Mode is one of [Modes]; disable is kept as disabled.
	Mode string
	// OverlayPodCIDR, ServiceCIDR and HijackCIDR are routed from the pod
	// through the node (the "hijack" routes).
	OverlayPodCIDR, ServiceCIDR, HijackCIDR []netip.Prefix
	// MACPrefix replaces the first two bytes of the NIC's MAC when set.
	MACPrefix []byte
	// DefaultRouteNIC keeps the main default route; "" means the pod's
	// first NIC.
	DefaultRouteNIC string
	// TunePodRoutes moves each extra NIC's routes into its own table.
	TunePodRoutes bool
	// HostRuleTable is the node's table of routes to pods.
	HostRuleTable int
	// RPFilter is set in the pod when ≥ 0.
	RPFilter int
	// TxQueueLen is set on the NIC when > 0.
	TxQueueLen int
	// VethLinkAddress is put on veth0 as a /32 when valid.
	VethLinkAddress netip.Addr
	// PolicyRoutes are extra routes of the pod.
	PolicyRoutes []PolicyRoute
	// VethMTU is the MTU of the veth pair.
	VethMTU int
	// PodCniNic is the pod's first NIC.
	PodCniNic string
}

// PolicyRoute is an extra route: Dst via Gw, same family.
type PolicyRoute struct {
	Dst netip.Prefix
	Gw  netip.Addr
}

// HijackCIDRs are the CIDRs routed through the node, in order:
// overlayPodCIDR, serviceCIDR, hijackCIDR.
func (c *Config) HijackCIDRs() []netip.Prefix {
	out := append([]netip.Prefix{}, c.OverlayPodCIDR...)
	out = append(out, c.ServiceCIDR...)
	return append(out, c.HijackCIDR...)
}

// Disabled reports a pass-through mode.
func (c *Config) Disabled() bool { return c.Mode == ModeDisabled }

// Merge resolves the configuration: each field of nc that is set wins
// over the agent's; agent may be nil (the agent was not asked or did not
// answer), leaving Spiderpool's defaults. Every error is a *ConfigError
// naming the field and where its value came from.
func Merge(agent *agentapi.CoordinatorConfig, nc *NetConf) (*Config, error) {
	if agent == nil {
		agent = &agentapi.CoordinatorConfig{Mode: ModeAuto, TunePodRoutes: true}
	}
	m := merger{agent: agent, nc: nc, conf: &Config{}}
	m.mode()
	m.cidrs()
	m.mac()
	m.numbers()
	m.addresses()
	m.names()
	if m.err != nil {
		return nil, m.err
	}
	return m.conf, nil
}
