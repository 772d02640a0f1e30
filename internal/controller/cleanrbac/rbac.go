// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package cleanrbac

// The cleanup deletes the webhook configurations, every Spider* object
// (stripping finalizers first, hence update and patch), the CRDs of
// Spiderpool's groups (delete by name only: Spiderpool's six and the
// sriov-network-operator's that Spiderpool's clean removes, all but
// sriovoperatorconfigs), and the init Job in the release namespace (the
// namespace below is replaced by the chart's).
//
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=mutatingwebhookconfigurations;validatingwebhookconfigurations,verbs=get;list;delete
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spiderippools;spidersubnets;spiderendpoints;spiderreservedips;spidermultusconfigs;spidercoordinators,verbs=get;list;update;patch;delete;deletecollection
// +kubebuilder:rbac:groups=apiextensions.k8s.io,resources=customresourcedefinitions,verbs=get;list
// +kubebuilder:rbac:groups=apiextensions.k8s.io,resources=customresourcedefinitions,verbs=delete,resourceNames=spiderippools.spiderpool.spidernet.io;spidersubnets.spiderpool.spidernet.io;spiderendpoints.spiderpool.spidernet.io;spiderreservedips.spiderpool.spidernet.io;spidermultusconfigs.spiderpool.spidernet.io;spidercoordinators.spiderpool.spidernet.io;sriovnetworks.sriovnetwork.openshift.io;sriovibnetworks.sriovnetwork.openshift.io;ovsnetworks.sriovnetwork.openshift.io;sriovnetworknodepolicies.sriovnetwork.openshift.io;sriovnetworknodestates.sriovnetwork.openshift.io;sriovnetworkpoolconfigs.sriovnetwork.openshift.io
// +kubebuilder:rbac:groups=batch,namespace=spiderpool,resources=jobs,verbs=get;delete
