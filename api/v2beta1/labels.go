// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1

// SpiderFinalizer is the finalizer Spiderpool puts on its pools, subnets,
// endpoints and coordinators.
const SpiderFinalizer = "spiderpool.spidernet.io"

// Pod annotations read during IPAM ADD (docs/reference/interface.md §3.1).
const (
	// AnnoPodIPPool selects the pools of the current interface:
	// {"ipv4":["pool-a"],"ipv6":["pool6"]}.
	AnnoPodIPPool = "ipam.spidernet.io/ippool"
	// AnnoPodIPPools selects the pools of several interfaces:
	// [{"interface":"eth0","ipv4":["a"],"ipv6":["a6"],"cleangateway":false}].
	AnnoPodIPPools = "ipam.spidernet.io/ippools"
	// AnnoPodRoutes adds routes: [{"dst":"10.0.0.0/16","gw":"192.168.1.1"}].
	AnnoPodRoutes = "ipam.spidernet.io/routes"
	// AnnoSubnet asks for an auto-created pool from a SpiderSubnet for one
	// interface.
	AnnoSubnet = "ipam.spidernet.io/subnet"
	// AnnoSubnets asks for auto-created pools for several interfaces.
	AnnoSubnets = "ipam.spidernet.io/subnets"
	// AnnoPoolIPNumber is the size of an auto-created pool: "2" or "+1".
	// It is also set on the auto-created pool.
	AnnoPoolIPNumber = "ipam.spidernet.io/ippool-ip-number"
	// AnnoPoolReclaim says whether the auto-created pool is deleted with its
	// application ("true" by default).
	AnnoPoolReclaim = "ipam.spidernet.io/ippool-reclaim"
	// AnnoDefaultRouteNIC names the pod interface that keeps the default
	// route; it overrides the coordinator's podDefaultRouteNIC.
	AnnoDefaultRouteNIC = "ipam.spidernet.io/default-route-nic"
	// AnnoPodDNS is defined by Spiderpool but not used in v1.0.
	AnnoPodDNS = "ipam.spidernet.io/dns"
	// AnnoMultusNetworks is Multus' list of secondary networks of a pod.
	AnnoMultusNetworks = "k8s.v1.cni.cncf.io/networks"
	// AnnoMultusDefaultNetwork is Multus' override of a pod's default
	// network.
	AnnoMultusDefaultNetwork = "v1.multus-cni.io/default-network"
	// AnnoKubevirtMigrationJobName marks a KubeVirt live-migration pod.
	AnnoKubevirtMigrationJobName = "kubevirt.io/migrationJobName"
)

// AnnoEndpointMigrationSource is written by this project, not by
// Spiderpool, on the SpiderEndpoint of a KubeVirt VM while a live
// migration's target pod holds the VM's addresses and the source pod may
// still run: {"podUid":"<source pod UID>","node":"<source node>"}. It is
// removed when the source pod's CNI DEL comes (docs/kubevirt.md).
const AnnoEndpointMigrationSource = "ipam.spidernet.io/kubevirt-migration-source"

// Namespace annotations (docs/reference/interface.md §3.2); each value is a
// JSON list of pool names.
const (
	// AnnoNSDefaultIPv4Pool lists the namespace's default IPv4 pools.
	AnnoNSDefaultIPv4Pool = "ipam.spidernet.io/default-ipv4-ippool"
	// AnnoNSDefaultIPv6Pool lists the namespace's default IPv6 pools.
	AnnoNSDefaultIPv6Pool = "ipam.spidernet.io/default-ipv6-ippool"
)

// SpiderMultusConfig, NetworkAttachmentDefinition and pod webhook
// annotations (docs/reference/interface.md §3.3).
const (
	// AnnoMultusConfigName names the generated NetworkAttachmentDefinition.
	AnnoMultusConfigName = "multus.spidernet.io/cr-name"
	// AnnoMultusConfigCNIVersion is the cniVersion of the generated
	// configuration.
	AnnoMultusConfigCNIVersion = "multus.spidernet.io/cni-version"
	// AnnoRDMAResourceInject asks the pod webhook to attach the matching
	// RDMA networks and resources; copied to a label on SpiderMultusConfig.
	AnnoRDMAResourceInject = "cni.spidernet.io/rdma-resource-inject"
	// AnnoNetworkResourceInject asks the pod webhook to attach the matching
	// networks and resources; copied to a label on SpiderMultusConfig.
	AnnoNetworkResourceInject = "cni.spidernet.io/network-resource-inject"
	// AnnoNADResourceName is the device-plugin resource of a generated
	// NetworkAttachmentDefinition.
	AnnoNADResourceName = "k8s.v1.cni.cncf.io/resourceName"
	// AnnoMultusNetworkStatus is Multus' report of a pod's networks.
	AnnoMultusNetworkStatus = "k8s.v1.cni.cncf.io/network-status"
)

// Labels written by Spiderpool (docs/reference/interface.md §3.5).
const (
	// LabelIPPoolCIDR holds the CIDR label value of a pool's subnet.
	LabelIPPoolCIDR = "ipam.spidernet.io/ippool-cidr"
	// LabelSubnetCIDR holds the CIDR label value of a subnet.
	LabelSubnetCIDR = "ipam.spidernet.io/subnet-cidr"
	// LabelOwnerSpiderSubnet names the SpiderSubnet that owns a pool.
	LabelOwnerSpiderSubnet = "ipam.spidernet.io/owner-spider-subnet"
	// LabelOwnerApplicationGV is the group_version of an auto-pool's
	// application, e.g. "apps_v1".
	LabelOwnerApplicationGV = "ipam.spidernet.io/owner-application-gv"
	// LabelOwnerApplicationKind is the kind of an auto-pool's application.
	LabelOwnerApplicationKind = "ipam.spidernet.io/owner-application-kind"
	// LabelOwnerApplicationNamespace is the namespace of an auto-pool's
	// application.
	LabelOwnerApplicationNamespace = "ipam.spidernet.io/owner-application-namespace"
	// LabelOwnerApplicationName is the name of an auto-pool's application.
	LabelOwnerApplicationName = "ipam.spidernet.io/owner-application-name"
	// LabelOwnerApplicationUID is the UID of an auto-pool's application.
	LabelOwnerApplicationUID = "ipam.spidernet.io/owner-application-uid"
	// LabelIPPoolInterface is the pod interface an auto-pool serves.
	LabelIPPoolInterface = "ipam.spidernet.io/interface"
	// LabelIPPoolVersion is the IP version of an auto-pool, IPv4 or IPv6.
	LabelIPPoolVersion = "ipam.spidernet.io/ip-version"
	// LabelIPPoolReclaim says whether an auto-pool is deleted with its
	// application.
	LabelIPPoolReclaim = "ipam.spidernet.io/ippool-reclaim"

	// LabelValueIPv4 is the LabelIPPoolVersion value of IPv4 pools.
	LabelValueIPv4 = "IPv4"
	// LabelValueIPv6 is the LabelIPPoolVersion value of IPv6 pools.
	LabelValueIPv6 = "IPv6"
)

// Keys of an auto-pool's spec.podAffinity.matchLabels. They are matched
// against the pod's top controller, not against the pod's labels.
const (
	// AppLabelAPIGroup is the API group of the application.
	AppLabelAPIGroup = "ipam.spidernet.io/app-api-group"
	// AppLabelAPIVersion is the API version of the application.
	AppLabelAPIVersion = "ipam.spidernet.io/app-api-version"
	// AppLabelKind is the kind of the application.
	AppLabelKind = "ipam.spidernet.io/app-kind"
	// AppLabelNamespace is the namespace of the application.
	AppLabelNamespace = "ipam.spidernet.io/app-namespace"
	// AppLabelName is the name of the application.
	AppLabelName = "ipam.spidernet.io/app-name"
)
