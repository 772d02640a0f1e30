// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package e2e holds the end-to-end tests that run against the lab cluster:
// real etcd, kube-apiserver, kube-controller-manager and kube-scheduler,
// simulated nodes, and real CNI calls into real network namespaces. They
// need root and the binaries hack/testbin.sh builds.
package e2e
