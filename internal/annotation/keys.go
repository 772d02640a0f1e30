// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

// Pod annotations read by the agent during IPAM ADD
// (docs/reference/interface.md §3.1).
const (
	// KeyIPPool selects pools for the NIC of the current CNI call:
	// {"ipv4":[...],"ipv6":[...]}.
	KeyIPPool = "ipam.spidernet.io/ippool"
	// KeyIPPools selects pools for several NICs at once:
	// [{"interface":"eth0","ipv4":[...],"ipv6":[...],"cleangateway":false}].
	KeyIPPools = "ipam.spidernet.io/ippools"
	// KeyRoutes adds routes: [{"dst":"10.0.0.0/16","gw":"192.168.1.1"}].
	KeyRoutes = "ipam.spidernet.io/routes"
	// KeySubnet asks for an auto-created pool from SpiderSubnets, one NIC.
	KeySubnet = "ipam.spidernet.io/subnet"
	// KeySubnets asks for auto-created pools for several NICs.
	KeySubnets = "ipam.spidernet.io/subnets"
	// KeyIPPoolIPNumber sizes an auto-created pool: "N" or "+N".
	KeyIPPoolIPNumber = "ipam.spidernet.io/ippool-ip-number"
	// KeyIPPoolReclaim says whether an auto-created pool is deleted with its
	// application.
	KeyIPPoolReclaim = "ipam.spidernet.io/ippool-reclaim"
	// KeyDefaultRouteNIC names the NIC that keeps the pod's default route.
	KeyDefaultRouteNIC = "ipam.spidernet.io/default-route-nic"
	// KeyDNS is defined by Spiderpool v1.0 but not used.
	KeyDNS = "ipam.spidernet.io/dns"
	// KeyKubevirtMigrationJob marks a KubeVirt live-migration pod; its value
	// is the migration's name.
	KeyKubevirtMigrationJob = "kubevirt.io/migrationJobName"
)

// Namespace annotations (docs/reference/interface.md §3.2).
const (
	// KeyNamespaceDefaultIPv4Pool lists the namespace's default IPv4 pools.
	KeyNamespaceDefaultIPv4Pool = "ipam.spidernet.io/default-ipv4-ippool"
	// KeyNamespaceDefaultIPv6Pool lists the namespace's default IPv6 pools.
	KeyNamespaceDefaultIPv6Pool = "ipam.spidernet.io/default-ipv6-ippool"
)

// Multus pod annotations, read to match spec.multusName
// (docs/reference/interface.md §3.4).
const (
	// KeyMultusNetworks lists the pod's secondary networks.
	KeyMultusNetworks = "k8s.v1.cni.cncf.io/networks"
	// KeyMultusDefaultNetwork replaces the cluster network for eth0.
	KeyMultusDefaultNetwork = "v1.multus-cni.io/default-network"
)
