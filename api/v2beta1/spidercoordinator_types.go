// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Values of CoordinatorSpec.Mode. Spiderpool's CRD spells the last one
// "disabled" while its plugin only knows "disable"; both are accepted here.
const (
	CoordinatorModeAuto     = "auto"
	CoordinatorModeUnderlay = "underlay"
	CoordinatorModeOverlay  = "overlay"
	CoordinatorModeDisabled = "disabled"
	CoordinatorModeDisable  = "disable"
)

// Values of CoordinatorSpec.PodCIDRType.
const (
	PodCIDRTypeAuto    = "auto"
	PodCIDRTypeCluster = "cluster"
	PodCIDRTypeCalico  = "calico"
	PodCIDRTypeCilium  = "cilium"
	PodCIDRTypeNone    = "none"
)

// Values of CoordinatorStatus.Phase.
const (
	CoordinatorPhaseSynced   = "Synced"
	CoordinatorPhaseNotReady = "NotReady"
)

// CoordinatorSpec configures the coordinator CNI plugin: how pod routes,
// the veth pair, the MAC address and rp_filter are set up. It is the spec of
// a SpiderCoordinator and the coordinator block of a SpiderMultusConfig.
type CoordinatorSpec struct {
	// Mode is how the coordinator treats the interface: auto (underlay for
	// the first interface, overlay otherwise), underlay, overlay, or
	// disabled/disable (leave the result unchanged).
	// +kubebuilder:default=auto
	// +kubebuilder:validation:Enum=auto;underlay;overlay;disabled;disable
	// +optional
	Mode *string `json:"mode,omitempty"`

	// PodCIDRType says where the cluster's pod CIDRs come from: auto
	// (detected from the cluster's CNI), cluster, calico, cilium or none.
	// Required on a SpiderCoordinator (checked by the webhook), optional in
	// a SpiderMultusConfig.
	// +kubebuilder:validation:Enum=auto;cluster;calico;cilium;none
	// +optional
	PodCIDRType *string `json:"podCIDRType,omitempty"`

	// HijackCIDR lists extra IPs or CIDRs that are routed through the host,
	// like the pod and service CIDRs. Bare IPs are normalised to /32 or /128.
	// +optional
	HijackCIDR []string `json:"hijackCIDR,omitempty"`

	// PodMACPrefix, "xx:yy", replaces the first two bytes of the pod
	// interface's MAC address; the first byte must be unicast.
	// +optional
	PodMACPrefix *string `json:"podMACPrefix,omitempty"`

	// TunePodRoutes moves each interface's routes into its own policy
	// routing table so that replies leave through the interface they came in.
	// +kubebuilder:default=true
	// +optional
	TunePodRoutes *bool `json:"tunePodRoutes,omitempty"`

	// PodDefaultRouteNIC is the pod interface that keeps the default route
	// in the main table; empty means eth0.
	// +optional
	PodDefaultRouteNIC *string `json:"podDefaultRouteNIC,omitempty"`

	// HostRuleTable is the host policy routing table that holds the routes
	// to the pod IPs.
	// +kubebuilder:default=500
	// +optional
	HostRuleTable *int `json:"hostRuleTable,omitempty"`

	// PodRPFilter is the rp_filter value set in the pod: 0, 1 or 2; a
	// negative value leaves it unchanged.
	// +kubebuilder:default=0
	// +kubebuilder:validation:Maximum=2
	// +optional
	PodRPFilter *int `json:"podRPFilter,omitempty"`

	// TxQueueLen is the transmit queue length set on the pod interface; 0
	// leaves it unchanged.
	// +kubebuilder:default=0
	// +kubebuilder:validation:Minimum=0
	// +optional
	TxQueueLen *int `json:"txQueueLen,omitempty"`

	// VethLinkAddress is an IPv4 address put on the pod side of the veth
	// pair in underlay mode; empty disables it.
	// +optional
	VethLinkAddress *string `json:"vethLinkAddress,omitempty"`

	// PolicyRoutes are extra routes added to the pod's policy routing
	// tables (Spiderpool v1.2.1).
	// +optional
	PolicyRoutes []Route `json:"policyRoutes,omitempty"`

	// VethMTU is the MTU of the veth pair in underlay mode; unset means
	// 1500 (Spiderpool v1.2.1).
	// +kubebuilder:validation:Minimum=1
	// +optional
	VethMTU *int `json:"vethMTU,omitempty"`
}

// CoordinatorStatus is the observed state of a SpiderCoordinator: the
// cluster CIDRs the coordinator routes through the host.
type CoordinatorStatus struct {
	// Phase is Synced once the CIDRs below are known, NotReady otherwise.
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:Enum=Synced;NotReady
	Phase string `json:"phase"`

	// Reason explains a NotReady phase.
	// +optional
	Reason string `json:"reason,omitempty"`

	// OverlayPodCIDR lists the pod CIDRs of the cluster's default CNI.
	// +optional
	OverlayPodCIDR []string `json:"overlayPodCIDR"`

	// ServiceCIDR lists the service CIDRs of the cluster.
	// +optional
	ServiceCIDR []string `json:"serviceCIDR"`
}

// SpiderCoordinator holds the cluster-wide defaults of the coordinator CNI
// plugin and the cluster CIDRs it detected. Spiderpool reconciles the object
// named "default".
//
// +kubebuilder:resource:path=spidercoordinators,singular=spidercoordinator,scope=Cluster,shortName={scc},categories={spiderpool}
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:object:root=true
type SpiderCoordinator struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the coordinator configuration.
	// +optional
	Spec CoordinatorSpec `json:"spec,omitempty"`

	// Status holds the detected cluster CIDRs, written by Spiderpool.
	// +optional
	Status CoordinatorStatus `json:"status,omitempty"`
}

// SpiderCoordinatorList is a list of SpiderCoordinator.
//
// +kubebuilder:object:root=true
type SpiderCoordinatorList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the coordinators.
	Items []SpiderCoordinator `json:"items"`
}
