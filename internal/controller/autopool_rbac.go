// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

// RBAC of the subnet and application controllers (free-standing markers,
// see rbac.go): they watch the six application kinds, create, resize and
// delete auto-created pools, write subnets' labels and finalizers, and
// re-issue a subnet's deletion in the foreground. The owner references they
// set block the subnet's deletion, which the OwnerReferencesPermissionEnforcement
// admission plugin allows only with update on spidersubnets/finalizers.
// Events on applications use the cluster-wide events permission.
//
// +kubebuilder:rbac:groups=apps,resources=deployments;replicasets;statefulsets;daemonsets,verbs=get;list;watch
// +kubebuilder:rbac:groups=batch,resources=jobs;cronjobs,verbs=get;list;watch
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spiderippools,verbs=create;delete;deletecollection
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spidersubnets,verbs=update;patch;delete
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spidersubnets/finalizers,verbs=update
