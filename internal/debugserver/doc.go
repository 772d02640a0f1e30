// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package debugserver starts the gops agent that spiderpool-agent and
// spiderpool-controller serve on 127.0.0.1:SPIDERPOOL_GOPS_LISTEN_PORT, as
// Spiderpool's do: `gops stack|memstats|pprof-cpu|pprof-heap 127.0.0.1:5712`
// reads a running daemon's goroutines, memory and profiles. It also holds
// the client half the benchmarks use to take a CPU profile over that port.
package debugserver
