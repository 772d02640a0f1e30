// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package coordinatorstatus finds what a SpiderCoordinator's status
// reports: the cluster's overlay pod CIDRs and service CIDRs, by its
// podCIDRType (docs/reference/behaviour.md §9.4, docs/coordinator.md):
//
//   - cluster: kube-system/kubeadm-config, else the flags of the
//     kube-controller-manager pod;
//   - calico: the Calico IPPools, disabled ones included;
//   - cilium: the cilium-config ConfigMap, and the CiliumPodIPPools in
//     multi-pool mode;
//   - none: no pod CIDR;
//   - auto: one of the above, from the name of the node's default CNI
//     network in the CNI configuration directory.
//
// Service CIDRs come from the ServiceCIDR objects where the API serves
// them, else from the cluster's configuration. [Detector.Status] never
// writes; the controller patches the result.
package coordinatorstatus
