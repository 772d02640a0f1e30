// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package kubevirt proves KubeVirt static IPs on a real kube-apiserver
// (envtest) with stand-in KubeVirt CRDs: the agents' IPAM services of two
// nodes and the controller GC's judgement, as they run, against VMs that
// restart, migrate live (and fail to), and are deleted. It has tests only.
package kubevirt
