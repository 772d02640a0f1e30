// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

// RBAC of spiderpool-controller besides that of its parts (internal/certs,
// internal/gc and the reconcilers here): controller-gen reads these markers
// from free-standing comments only, not from a declaration's doc comment.
// `make manifests` writes config/rbac/controller/role.yaml.
//
// The leader election Lease and its events live in the controller's
// namespace (replaced by the chart's). The webhooks read pools, subnets,
// multus configs and NetworkAttachmentDefinitions to validate objects.
//
// +kubebuilder:rbac:groups=coordination.k8s.io,namespace=spiderpool,resources=leases,verbs=get;create;update
// +kubebuilder:rbac:groups="",namespace=spiderpool,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spiderippools,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spiderippools/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spidersubnets,verbs=get;list;watch
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spidersubnets/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spiderreservedips;spidermultusconfigs;spidercoordinators,verbs=get;list;watch
// +kubebuilder:rbac:groups=k8s.cni.cncf.io,resources=network-attachment-definitions,verbs=get;list;watch
