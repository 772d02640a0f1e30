// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"os"
	"strings"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// Variables read by spiderpool-init (docs/reference/interface.md §4.4).
const (
	EnvInitNamespace                  = "SPIDERPOOL_NAMESPACE"
	EnvInitControllerName             = "SPIDERPOOL_CONTROLLER_NAME"
	EnvInitAgentName                  = "SPIDERPOOL_AGENT_NAME"
	EnvInitCoordinatorName            = "SPIDERPOOL_INIT_DEFAULT_COORDINATOR_NAME"
	EnvInitCoordinatorMode            = "SPIDERPOOL_INIT_DEFAULT_COORDINATOR_MODE"
	EnvInitCoordinatorPodCIDRType     = "SPIDERPOOL_INIT_DEFAULT_COORDINATOR_POD_CIDR_TYPE"
	EnvInitCoordinatorTunePodRoutes   = "SPIDERPOOL_INIT_DEFAULT_COORDINATOR_TUNE_POD_ROUTES"
	EnvInitCoordinatorHijackCIDR      = "SPIDERPOOL_INIT_DEFAULT_COORDINATOR_HIJACK_CIDR"
	EnvInitCoordinatorVethLinkAddress = "SPIDERPOOL_INIT_DEFAULT_COORDINATOR_VETH_LINK_ADDRESS"
	EnvInitCoordinatorDetectGateway   = "SPIDERPOOL_INIT_DEFAULT_COORDINATOR_DETECT_GATEWAY"
	EnvInitCoordinatorDetectConflict  = "SPIDERPOOL_INIT_DEFAULT_COORDINATOR_DETECT_IP_CONFLICT"
	EnvInitIPv4SubnetName             = "SPIDERPOOL_INIT_DEFAULT_IPV4_SUBNET_NAME"
	EnvInitIPv4IPPoolName             = "SPIDERPOOL_INIT_DEFAULT_IPV4_IPPOOL_NAME"
	EnvInitIPv4IPPoolSubnet           = "SPIDERPOOL_INIT_DEFAULT_IPV4_IPPOOL_SUBNET"
	EnvInitIPv4IPPoolIPRanges         = "SPIDERPOOL_INIT_DEFAULT_IPV4_IPPOOL_IPRANGES"
	EnvInitIPv4IPPoolGateway          = "SPIDERPOOL_INIT_DEFAULT_IPV4_IPPOOL_GATEWAY"
	EnvInitIPv6SubnetName             = "SPIDERPOOL_INIT_DEFAULT_IPV6_SUBNET_NAME"
	EnvInitIPv6IPPoolName             = "SPIDERPOOL_INIT_DEFAULT_IPV6_IPPOOL_NAME"
	EnvInitIPv6IPPoolSubnet           = "SPIDERPOOL_INIT_DEFAULT_IPV6_IPPOOL_SUBNET"
	EnvInitIPv6IPPoolIPRanges         = "SPIDERPOOL_INIT_DEFAULT_IPV6_IPPOOL_IPRANGES"
	EnvInitIPv6IPPoolGateway          = "SPIDERPOOL_INIT_DEFAULT_IPV6_IPPOOL_GATEWAY"
	EnvInitEnableMultusConfig         = "SPIDERPOOL_INIT_ENABLE_MULTUS_CONFIG"
	EnvInitDefaultCNIName             = "SPIDERPOOL_INIT_DEFAULT_CNI_NAME"
	EnvInitDefaultCNINamespace        = "SPIDERPOOL_INIT_DEFAULT_CNI_NAMESPACE"
	EnvInitDefaultCNIDir              = "SPIDERPOOL_INIT_DEFAULT_CNI_DIR"
	EnvInitMultusConfigMap            = "SPIDERPOOL_INIT_MULTUS_CONFIGMAP"
	EnvInitReadinessFile              = "SPIDERPOOL_INIT_READINESS_FILE"
)

// DefaultReadinessFile is the file spiderpool-init writes when it is done.
const DefaultReadinessFile = "/etc/spiderpool/ready"

// InitEnv is the environment of spiderpool-init
// (docs/reference/interface.md §4.4).
type InitEnv struct {
	// Namespace is SPIDERPOOL_NAMESPACE (required).
	Namespace string
	// ControllerName is SPIDERPOOL_CONTROLLER_NAME (required).
	ControllerName string
	// AgentName is SPIDERPOOL_AGENT_NAME (required).
	AgentName string
	// Coordinator is the default SpiderCoordinator to create, or nil when
	// SPIDERPOOL_INIT_DEFAULT_COORDINATOR_NAME is empty.
	Coordinator *InitCoordinator
	// IPv4 is the default IPv4 Subnet and IPPool to create, or nil when neither
	// is named.
	IPv4 *InitPool
	// IPv6 is the default IPv6 Subnet and IPPool to create, or nil when neither
	// is named.
	IPv6 *InitPool
	// EnableMultusConfig is SPIDERPOOL_INIT_ENABLE_MULTUS_CONFIG (required).
	EnableMultusConfig bool
	// DefaultCNIName is SPIDERPOOL_INIT_DEFAULT_CNI_NAME; when set, the
	// default SpiderMultusConfig has this name and cniType custom.
	DefaultCNIName string
	// DefaultCNINamespace is SPIDERPOOL_INIT_DEFAULT_CNI_NAMESPACE.
	DefaultCNINamespace string
	// DefaultCNIDir is SPIDERPOOL_INIT_DEFAULT_CNI_DIR, the CNI config
	// directory to read the default CNI from. Whether it exists is left to the
	// caller.
	DefaultCNIDir string
	// MultusConfigMap is SPIDERPOOL_INIT_MULTUS_CONFIGMAP.
	MultusConfigMap string
	// ReadinessFile is SPIDERPOOL_INIT_READINESS_FILE (DefaultReadinessFile).
	ReadinessFile string
}

// InitCoordinator is the default SpiderCoordinator spiderpool-init creates.
type InitCoordinator struct {
	// Name is SPIDERPOOL_INIT_DEFAULT_COORDINATOR_NAME.
	Name string
	// Mode is SPIDERPOOL_INIT_DEFAULT_COORDINATOR_MODE (auto).
	Mode string
	// PodCIDRType is SPIDERPOOL_INIT_DEFAULT_COORDINATOR_POD_CIDR_TYPE.
	PodCIDRType string
	// TunePodRoutes is SPIDERPOOL_INIT_DEFAULT_COORDINATOR_TUNE_POD_ROUTES
	// (required).
	TunePodRoutes bool
	// HijackCIDR is SPIDERPOOL_INIT_DEFAULT_COORDINATOR_HIJACK_CIDR, a list of
	// CIDRs, masked; a bare IP becomes a /32 or /128. Empty, not nil, when
	// unset.
	HijackCIDR []string
	// VethLinkAddress is SPIDERPOOL_INIT_DEFAULT_COORDINATOR_VETH_LINK_ADDRESS.
	VethLinkAddress string
	// DetectGateway is SPIDERPOOL_INIT_DEFAULT_COORDINATOR_DETECT_GATEWAY
	// (false). The chart passes it; Spiderpool v1.0 does not use it.
	DetectGateway bool
	// DetectIPConflict is SPIDERPOOL_INIT_DEFAULT_COORDINATOR_DETECT_IP_CONFLICT
	// (false). The chart passes it; Spiderpool v1.0 does not use it.
	DetectIPConflict bool
}

// InitPool is a default Subnet and IPPool spiderpool-init creates; the IPPool
// gets default: true, and both get the same subnet, ranges and gateway.
type InitPool struct {
	// SubnetName is SPIDERPOOL_INIT_DEFAULT_IPVx_SUBNET_NAME ("" for none).
	SubnetName string
	// IPPoolName is SPIDERPOOL_INIT_DEFAULT_IPVx_IPPOOL_NAME ("" for none).
	IPPoolName string
	// Subnet is SPIDERPOOL_INIT_DEFAULT_IPVx_IPPOOL_SUBNET, a canonical CIDR of
	// the family (required when a name is set).
	Subnet string
	// IPRanges is SPIDERPOOL_INIT_DEFAULT_IPVx_IPPOOL_IPRANGES, a list of IPs
	// and "a-b" ranges of the family.
	IPRanges []string
	// Gateway is SPIDERPOOL_INIT_DEFAULT_IPVx_IPPOOL_GATEWAY, an IP of the
	// family or "".
	Gateway string
}

// ParseInitEnv reads the spiderpool-init environment through lookup
// (os.LookupEnv if nil). The error joins an [*EnvError] per problem.
func ParseInitEnv(lookup LookupFunc) (InitEnv, error) {
	r := newInitReader(lookup)
	env := InitEnv{
		Namespace:           r.str(envVar{name: EnvInitNamespace, required: true}),
		ControllerName:      r.str(envVar{name: EnvInitControllerName, required: true}),
		AgentName:           r.str(envVar{name: EnvInitAgentName, required: true}),
		Coordinator:         r.initCoordinator(),
		IPv4:                r.initPool(allocator.IPv4),
		IPv6:                r.initPool(allocator.IPv6),
		EnableMultusConfig:  r.boolean(envVar{name: EnvInitEnableMultusConfig, required: true}),
		DefaultCNIName:      r.str(envVar{name: EnvInitDefaultCNIName}),
		DefaultCNINamespace: r.str(envVar{name: EnvInitDefaultCNINamespace}),
		DefaultCNIDir:       r.str(envVar{name: EnvInitDefaultCNIDir}),
		MultusConfigMap:     r.str(envVar{name: EnvInitMultusConfigMap}),
		ReadinessFile:       r.str(envVar{name: EnvInitReadinessFile, def: DefaultReadinessFile}),
	}
	r.distinctNames(env.IPv4, env.IPv6)
	if err := r.err(); err != nil {
		return InitEnv{}, err
	}
	return env, nil
}

// newInitReader returns a reader with spiderpool-init's rule: double quotes
// are removed and spaces trimmed, and an empty value counts as unset.
func newInitReader(lookup LookupFunc) *envReader {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	return &envReader{lookup: func(name string) (string, bool) {
		v, _ := lookup(name)
		v = strings.TrimSpace(strings.ReplaceAll(v, `"`, ""))
		return v, v != ""
	}}
}

// initCoordinator reads the default coordinator, if one is named.
func (r *envReader) initCoordinator() *InitCoordinator {
	name := r.str(envVar{name: EnvInitCoordinatorName})
	if name == "" {
		return nil
	}
	return &InitCoordinator{
		Name:             name,
		Mode:             r.str(envVar{name: EnvInitCoordinatorMode, def: "auto"}),
		PodCIDRType:      r.str(envVar{name: EnvInitCoordinatorPodCIDRType}),
		TunePodRoutes:    r.boolean(envVar{name: EnvInitCoordinatorTunePodRoutes, required: true, why: "when " + EnvInitCoordinatorName + " is set"}),
		HijackCIDR:       r.hijackCIDR(envVar{name: EnvInitCoordinatorHijackCIDR}),
		VethLinkAddress:  r.str(envVar{name: EnvInitCoordinatorVethLinkAddress}),
		DetectGateway:    r.boolean(envVar{name: EnvInitCoordinatorDetectGateway}),
		DetectIPConflict: r.boolean(envVar{name: EnvInitCoordinatorDetectConflict}),
	}
}
