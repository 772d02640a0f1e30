// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package micro holds Go benchmarks of the agent-side IPAM that need more
// than the pure allocator (whose own benchmarks are in internal/allocator):
// contention of K agents on one pool in a real API server (envtest), and
// the heap the agent's state takes for 10 /16 pools and 20,000
// allocations. The package has only benchmarks; its TestMain starts
// envtest only when -test.bench is given, so `go test` stays quick.
package micro
