// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Names of the GC counters as Spiderpool's controller exposes them
// (docs/reference/interface.md §8.2; its OpenTelemetry exporter appends
// _total to counters).
const (
	// MetricGCCounts counts the addresses the GC released.
	MetricGCCounts = "spiderpool_ip_gc_counts_total"
	// MetricGCFailureCounts counts the GC releases that failed (one per
	// pod incarnation and attempt).
	MetricGCFailureCounts = "spiderpool_ip_gc_failure_counts_total"
	// MetricReleaseConflictCounts counts the pool status writes of GC
	// releases that lost an optimistic-concurrency race and were retried.
	MetricReleaseConflictCounts = "spiderpool_ipam_release_update_ippool_conflict_counts_total"
)

// counters are the GC's Prometheus counters.
type counters struct {
	released  prometheus.Counter
	failures  prometheus.Counter
	conflicts prometheus.Counter
}

// newCounters registers the counters on reg, reusing those already there
// (a second Setup in the same process).
func newCounters(reg prometheus.Registerer) (*counters, error) {
	released, err1 := registerCounter(reg, MetricGCCounts, "IP addresses released by the IP garbage collector.")
	failures, err2 := registerCounter(reg, MetricGCFailureCounts, "Failed IP garbage collection releases.")
	conflicts, err3 := registerCounter(reg, MetricReleaseConflictCounts,
		"Conflicting SpiderIPPool status updates retried by IP garbage collection releases.")
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, err
	}
	return &counters{released: released, failures: failures, conflicts: conflicts}, nil
}

func registerCounter(reg prometheus.Registerer, name, help string) (prometheus.Counter, error) {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	err := reg.Register(c)
	var already prometheus.AlreadyRegisteredError
	if errors.As(err, &already) {
		if existing, ok := already.ExistingCollector.(prometheus.Counter); ok {
			return existing, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("register metric %s: %w", name, err)
	}
	return c, nil
}
