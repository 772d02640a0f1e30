// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

// RBAC the IP garbage collector needs (controller-gen rbac markers).
//
// +kubebuilder:rbac:groups="",resources=pods;nodes,verbs=get;list;watch
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spiderippools,verbs=get;list;watch
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spiderippools/status,verbs=get;update
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spiderendpoints,verbs=get;list;watch;update;patch;delete
// +kubebuilder:rbac:groups=apps,resources=statefulsets,verbs=get;list;watch
// +kubebuilder:rbac:groups=kubevirt.io,resources=virtualmachineinstances;virtualmachines,verbs=get
// +kubebuilder:rbac:groups=ipam.spiderpool-go.io,resources=spideripclaims,verbs=get;list;watch;delete
