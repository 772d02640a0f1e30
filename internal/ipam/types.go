// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"net/netip"
)

// AllocateRequest is a CNI ADD as the agent receives it
// (docs/reference/interface.md §5.2 IpamAddArgs), in domain types.
type AllocateRequest struct {
	// ContainerID is the sandbox ID (CNI_CONTAINERID).
	ContainerID string
	// IfName is the interface being set up (CNI_IFNAME).
	IfName string
	// NetNS is the network namespace path (CNI_NETNS); informational.
	NetNS string
	// PodNamespace and PodName name the pod (K8S_POD_NAMESPACE/NAME).
	PodNamespace, PodName string
	// PodUID is K8S_POD_UID; empty when the runtime does not pass it.
	PodUID string
	// DefaultIPv4Pools and DefaultIPv6Pools are the CNI configuration's
	// default_ipv4_ippool / default_ipv6_ippool (selection source 4).
	DefaultIPv4Pools, DefaultIPv6Pools []string
	// CleanGateway is the CNI configuration's clean_gateway: no default
	// route for this interface unless the ippools annotation says otherwise.
	CleanGateway bool
}

// ReleaseRequest is a CNI DEL (docs/reference/interface.md §5.2 IpamDelArgs)
// in domain types.
type ReleaseRequest struct {
	// ContainerID is the sandbox ID (CNI_CONTAINERID).
	ContainerID string
	// IfName is the interface being torn down.
	IfName string
	// NetNS is the network namespace path; informational.
	NetNS string
	// PodNamespace and PodName name the pod.
	PodNamespace, PodName string
	// PodUID is K8S_POD_UID; when empty the UID is taken from the pod, or,
	// when the pod is gone, from its SpiderEndpoint.
	PodUID string
}

// ReleaseAllRequest is the batch release the plugin asks for after it found
// an address of the pod in conflict on the wire (DELETE /ipam/ips).
type ReleaseAllRequest struct {
	ReleaseRequest
	// ConflictIPs are the addresses found in use by someone else. They are
	// not handed to this pod again (docs/compatibility.md #6) for
	// ConflictQuarantine.
	ConflictIPs []netip.Addr
	// IsReleaseConflictIPs is the request's isReleaseConflictIPs: the
	// release is a conflict release, refused for a pod whose addresses are
	// fixed (ErrStaticPod).
	IsReleaseConflictIPs bool
}

// Result is the allocation of every interface of a pod. The plugin keeps
// the interface it is setting up.
type Result struct {
	// NICs lists the pod's interfaces in the order they were recorded.
	NICs []NIC
	// SkipConflictDetection is set for the target pod of a KubeVirt live
	// migration: the source pod still answers for the addresses, so the
	// plugin must not take it for a conflict. Gateway detection is kept.
	SkipConflictDetection bool
}

// NIC returns the entry of interface name, or false.
func (r *Result) NIC(name string) (NIC, bool) {
	for _, n := range r.NICs {
		if n.Interface == name {
			return n, true
		}
	}
	return NIC{}, false
}

// NIC is the allocation of one pod interface.
type NIC struct {
	// Interface is the interface name, e.g. "eth0" or "net1".
	Interface string
	// IPv4 and IPv6 are nil for a family that was not allocated.
	IPv4, IPv6 *IPConfig
	// CleanGateway is true when no default route is returned.
	CleanGateway bool
	// Routes are the default routes (unless CleanGateway), the pools'
	// spec.routes and the pod's ipam.spidernet.io/routes for this NIC.
	Routes []Route
}

// IPConfig is one address of an interface.
type IPConfig struct {
	// Address is the IP with the prefix length of its pool's subnet.
	Address netip.Prefix
	// Pool is the SpiderIPPool the address came from.
	Pool string
	// Gateway is the pool's spec.gateway; the zero Addr when unset.
	Gateway netip.Addr
}

// Route is a route of an interface.
type Route struct {
	// Dst is the destination network.
	Dst netip.Prefix
	// GW is the next hop.
	GW netip.Addr
}
