// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package contention measures the IPAM under contention with the
// `spiderpool` plugin called directly: a lab (test/lab, process mode) of
// nodes that are Ready and run their spiderpool-agent but whose simulators
// run no pod (lab.Options.PassiveNodes), the controller, and pods created by
// the harness and bound to the nodes round-robin. Per node, a few workers
// run the plugin binary with CNI_COMMAND=ADD for that node's pods, each in
// a network namespace of its own holding an eth0 (one end of a veth), with
// the node's network configuration on stdin; then DEL for all of them.
//
// Scenarios differ in how the pods' pools are laid out: one pool shared by
// every node or one pool per node, IPv4 only or dual stack, and a shared
// /16 that already holds thousands of records of other pods. Per scenario
// and phase, Run records operations per second, latency percentiles,
// failures, the API server's requests by verb, resource and code per
// allocation, and CPU seconds per lab process and of the plugin processes
// per 1,000 allocations. Each scenario can run against several builds of
// the agent and plugin (Build) in the same lab, for an A/B.
//
// Nothing here asserts a timing. The command is
// test/bench/contention/cmd/contentionbench; hack/bench.sh runs it.
package contention
