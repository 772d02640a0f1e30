// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package metrics defines the Prometheus metrics of spiderpool-agent and
// spiderpool-controller under Spiderpool's exposition names
// (docs/reference/interface.md §8), so that Spiderpool's dashboards keep
// working, and serves them.
//
// Spiderpool records its metrics with the OpenTelemetry SDK and exports
// them with the OpenTelemetry Prometheus exporter; this package uses
// prometheus/client_golang directly and writes the names the exporter
// writes: counters end in _total, and every histogram has the buckets
// 0.1, 0.3, 0.5, 1, 3, 5, 7, 10 and 15 seconds. The exporter's extra
// otel_scope_name and otel_scope_version labels and its target_info and
// otel_scope_info series are not emulated (docs/metrics.md).
//
// The agent's metric set is Agent: the IPAM calls (counts, failure causes,
// durations) and, through the ipam.Observer it implements, the waits in the
// per-pool queues and the pool write conflicts; ReleaseQueue covers the
// node's on-disk release queue, which Spiderpool does not have. The
// controller's per-pool and per-subnet gauges are Pools.
//
// Nothing here is package-level state: every metric set is registered on
// the prometheus.Registerer its constructor is given.
package metrics
