// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

// DefaultSocketPath is where the agent listens and the plugin dials unless
// the CNI config sets ipam.ipam_unix_socket_path
// (docs/reference/interface.md §5.1).
const DefaultSocketPath = "/var/run/spidernet/spiderpool.sock"

// APIPrefix starts every path; it changes only with an incompatible change
// of the wire types.
const APIPrefix = "/v1"

// Paths of the agent API.
const (
	PathHealthy = APIPrefix + "/ipam/healthy"
	PathIP      = APIPrefix + "/ipam/ip"
	PathIPs     = APIPrefix + "/ipam/ips"
	PathCheck   = APIPrefix + "/ipam/check"
	PathGC      = APIPrefix + "/ipam/gc"
)

// AddRequest asks for the addresses of one pod interface (CNI ADD). Field
// names follow Spiderpool's IpamAddArgs.
type AddRequest struct {
	// ContainerID is CNI_CONTAINERID (the sandbox ID). Required.
	ContainerID string `json:"containerID"`
	// IfName is CNI_IFNAME, such as "eth0" or "net1". Required.
	IfName string `json:"ifName"`
	// NetNamespace is CNI_NETNS, the path of the pod's netns. Required.
	NetNamespace string `json:"netNamespace"`
	// PodNamespace is K8S_POD_NAMESPACE. Required.
	PodNamespace string `json:"podNamespace"`
	// PodName is K8S_POD_NAME. Required.
	PodName string `json:"podName"`
	// PodUID is K8S_POD_UID. Required.
	PodUID string `json:"podUID"`
	// DefaultIPv4IPPool is ipam.default_ipv4_ippool of the CNI config.
	DefaultIPv4IPPool []string `json:"defaultIPv4IPPool,omitempty"`
	// DefaultIPv6IPPool is ipam.default_ipv6_ippool of the CNI config.
	DefaultIPv6IPPool []string `json:"defaultIPv6IPPool,omitempty"`
	// CleanGateway is ipam.clean_gateway: no default route for this NIC
	// unless a pod annotation says otherwise.
	CleanGateway bool `json:"cleanGateway,omitempty"`
}

// AddResponse holds the addresses and routes of every NIC of the pod, not
// only the one asked for, as Spiderpool's IpamAddResponse does; the plugin
// keeps the entries of its own interface.
type AddResponse struct {
	// IPs has at least one entry.
	IPs []IPConfig `json:"ips"`
	// Routes includes the default route of each NIC that has a gateway,
	// unless that NIC cleans its gateway.
	Routes []Route `json:"routes,omitempty"`
	// DNS is copied into the CNI result.
	DNS DNS `json:"dns"`
}

// IPConfig is one allocated address.
type IPConfig struct {
	// Version is 4 or 6.
	Version int `json:"version"`
	// Address is the address with the prefix length of its pool's subnet,
	// such as "10.6.0.10/16".
	Address string `json:"address"`
	// NIC is the pod interface the address belongs to.
	NIC string `json:"nic"`
	// IPPool is the name of the SpiderIPPool it came from.
	IPPool string `json:"ipPool,omitempty"`
	// Gateway is the pool's gateway; empty when the pool has none.
	Gateway string `json:"gateway,omitempty"`
	// Vlan is the pool's VLAN ID (deprecated in Spiderpool, kept for the
	// wire format); 0 for none.
	Vlan int `json:"vlan,omitempty"`
	// EnableGatewayDetection asks the plugin to probe the gateway (§7).
	EnableGatewayDetection bool `json:"enableGatewayDetection,omitempty"`
	// EnableIPConflictDetection asks the plugin to probe for a duplicate
	// address (§7).
	EnableIPConflictDetection bool `json:"enableIPConflictDetection,omitempty"`
}

// Route is one route of a pod interface.
type Route struct {
	// IfName is the pod interface the route goes out of.
	IfName string `json:"ifName"`
	// Dst is a CIDR, such as "0.0.0.0/0".
	Dst string `json:"dst"`
	// Gw is the next hop; empty for an on-link route.
	Gw string `json:"gw,omitempty"`
}

// DNS is the resolver configuration handed to the runtime.
type DNS struct {
	Nameservers []string `json:"nameservers,omitempty"`
	Domain      string   `json:"domain,omitempty"`
	Search      []string `json:"search,omitempty"`
	Options     []string `json:"options,omitempty"`
}

// DelRequest releases the addresses of one pod interface (CNI DEL).
type DelRequest struct {
	// ContainerID is CNI_CONTAINERID. Required.
	ContainerID string `json:"containerID"`
	// IfName is CNI_IFNAME. Required.
	IfName string `json:"ifName"`
	// NetNamespace is CNI_NETNS; empty when the netns is already gone.
	NetNamespace string `json:"netNamespace,omitempty"`
	// PodNamespace is K8S_POD_NAMESPACE. Required.
	PodNamespace string `json:"podNamespace"`
	// PodName is K8S_POD_NAME. Required.
	PodName string `json:"podName"`
	// PodUID is K8S_POD_UID; empty when the runtime did not pass it, in
	// which case the agent finds it or leaves the release to GC.
	PodUID string `json:"podUID,omitempty"`
}

// BatchDelRequest releases every address recorded for a pod, used after
// the plugin detected an address conflict or an unreachable gateway.
type BatchDelRequest struct {
	// ContainerID is CNI_CONTAINERID. Required.
	ContainerID string `json:"containerID"`
	// NetNamespace is CNI_NETNS.
	NetNamespace string `json:"netNamespace,omitempty"`
	// PodNamespace is K8S_POD_NAMESPACE. Required.
	PodNamespace string `json:"podNamespace"`
	// PodName is K8S_POD_NAME. Required.
	PodName string `json:"podName"`
	// PodUID is K8S_POD_UID; optional.
	PodUID string `json:"podUID,omitempty"`
	// IsReleaseConflictIPs marks a release caused by a detected conflict,
	// which the agent may refuse for stateful workloads
	// (docs/reference/interface.md §5.2).
	IsReleaseConflictIPs bool `json:"isReleaseConflictIPs,omitempty"`
	// Detection is what the plugin found on the wire, so that the agent
	// keeps the conflicting address from every pod and counts the
	// finding. A spiderpool-go field: Spiderpool's agent ignores it, and
	// our agent releases as before when it is absent.
	Detection *Detection `json:"detection,omitempty"`
}

// CheckRequest asks what the agent recorded for one pod interface (CNI
// CHECK). The fields are those of [AddRequest] without pool choices.
type CheckRequest struct {
	// ContainerID is CNI_CONTAINERID. Required.
	ContainerID string `json:"containerID"`
	// IfName is CNI_IFNAME. Required.
	IfName string `json:"ifName"`
	// NetNamespace is CNI_NETNS.
	NetNamespace string `json:"netNamespace,omitempty"`
	// PodNamespace is K8S_POD_NAMESPACE. Required.
	PodNamespace string `json:"podNamespace"`
	// PodName is K8S_POD_NAME. Required.
	PodName string `json:"podName"`
	// PodUID is K8S_POD_UID. Required.
	PodUID string `json:"podUID"`
}

// CheckResponse is the agent's record for the pod UID and interface of a
// [CheckRequest]. A pod without a record gets an [Error] with [CodeNotFound].
type CheckResponse struct {
	// IPs are the addresses recorded for the interface.
	IPs []IPConfig `json:"ips"`
	// Routes are the routes recorded for the interface.
	Routes []Route `json:"routes,omitempty"`
}

// GCRequest carries the runtime's list of attachments that are still in
// use (CNI GC, spec 1.1). The agent releases the allocations of its node
// whose container ID is not listed.
type GCRequest struct {
	// Network is the name of the network the runtime collects, for logs.
	Network string `json:"network,omitempty"`
	// ValidAttachments are the attachments that must be kept.
	ValidAttachments []Attachment `json:"validAttachments"`
}

// Attachment names one pod interface: a container ID and an interface name.
type Attachment struct {
	// ContainerID is the sandbox ID. Required.
	ContainerID string `json:"containerID"`
	// IfName is the pod interface. Required.
	IfName string `json:"ifName"`
}
