// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

// RBAC of spiderpool-init (controller-gen rbac markers; `make manifests`
// writes config/rbac/init/role.yaml, which the chart's ClusterRole and Role
// for the init Job read). Init creates the default SpiderCoordinator,
// Subnets, IPPools and SpiderMultusConfig, reading them first so that a
// second run is idempotent; it never updates or deletes them. It waits on
// the controller Service's Endpoints, in the release namespace only (the
// namespace below is replaced by the chart's).
//
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spidercoordinators;spidersubnets;spiderippools;spidermultusconfigs,verbs=get;list;create
// +kubebuilder:rbac:groups="",namespace=spiderpool,resources=endpoints,verbs=get;list;watch
// +kubebuilder:rbac:groups=discovery.k8s.io,namespace=spiderpool,resources=endpointslices,verbs=get;list;watch
