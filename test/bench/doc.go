// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package bench is the lab replay of Spiderpool's published IPAM benchmark
// (docs/reference/behaviour.md §10.3): Deployments of replicas in a lab of
// simulated nodes, each with its own spiderpool-agent, and the controller,
// with dual-stack pools sized 1:1 to the pods or with plenty of addresses.
//
// A scenario runs three phases: create (until every pod is Running with an
// IPv4 and an IPv6 address), re-create (every pod deleted at once, until
// all replacements run) and delete (the Deployments deleted, until every
// address is back in its pool and no SpiderEndpoint is left). Each phase
// records its wall time, the CNI ADD and DEL latency the plugin logged
// (ipamplugin.TimingLine), the API server's requests, writes and 409
// conflicts on spiderpool.spidernet.io objects per allocation, CPU time by
// lab process, and whether two live pods ever held the same address.
//
// Nothing here asserts a timing: Run records figures, and WriteResults
// writes them as JSON and as a Markdown table. The command is
// test/bench/spiderbench; hack/bench.sh runs it with the Go
// microbenchmarks of test/bench/micro and internal/allocator.
package bench
