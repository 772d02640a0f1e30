// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package coordinator is the coordinator chained CNI plugin: after the
// main plugin (macvlan, SR-IOV) and spiderpool IPAM have set up a pod
// interface, it connects the pod to its node and tunes the pod's routes so
// that an underlay pod reaches its node, the cluster's services and its
// peers on every NIC (docs/reference/behaviour.md §8,
// docs/coordinator.md).
//
// The configuration is the SpiderCoordinator of the cluster, fetched from
// the node's spiderpool-agent over its socket (agentapi, GET
// /v1/coordinator/config), with the values of the network configuration
// taking precedence ([NetConf], [Merge]). The plugin holds no Kubernetes
// client: the agent folds the pod's ipam.spidernet.io/default-route-nic
// annotation into the answer, looked up by the K8S_POD_* CNI_ARGS.
//
// Errors are *types.Error: 7 for a bad configuration (the message names
// the field, its value and the fix), 4 for bad CNI_ARGS, 11 when the agent
// is unreachable or its SpiderCoordinator is not Synced, 999 otherwise.
package coordinator
