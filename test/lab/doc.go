// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package lab brings up and tears down the local lab cluster on loopback:
// real etcd, kube-apiserver (RBAC on), kube-controller-manager and
// kube-scheduler built from pinned modules by hack/testbin.sh, generated
// certificates, an admin kubeconfig, and N simulated nodes.
//
// Each simulated node is a "host" network namespace holding two underlay NICs
// (veths eth0 and eth1) whose peers sit on bridges br0 and br1 inside one
// fabric namespace, so pods on different nodes reach each other at layer 2,
// as they would across a data-centre switch. A node-simulator process per
// node (package nodesim) plays kubelet and the container runtime: it keeps
// the Node Ready and gives every pod bound to it a network namespace through
// real CNI calls.
//
// The project itself runs in one of two modes. In chart mode (Options.Chart
// without agent or controller binaries) the lab runs helm install of the
// chart once the nodes are Ready, and the node simulators run the chart's
// pods (agent DaemonSet, controller Deployment, init and cleanup Jobs) as
// host processes under the chart's ServiceAccounts. In process mode the lab
// starts the agent and controller processes itself, configured as the chart
// configures them; with a chart it applies only the chart's ServiceAccounts
// and RBAC and gives each process a token of its ServiceAccount.
//
// Every process the lab starts is recorded by PID in the lab directory and
// stopped by that PID only; every namespace it creates carries the lab's
// prefix, so Down removes exactly what Up made.
package lab
