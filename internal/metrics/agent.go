// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// Agent is spiderpool-agent's metric set (docs/reference/interface.md §8.1).
// Its methods are safe for concurrent use.
type Agent struct {
	allocation, release ipamMetrics
	// autoPoolWaits is
	// spiderpool_debug_auto_pool_waited_for_available_counts: Spiderpool
	// registers it on its normal meter but never increments it
	// (docs/reference/interface.md §8.1); it is kept, at 0, for dashboards
	// that query it. There are no auto-created pools to wait for yet.
	autoPoolWaits prometheus.Counter
}

// ipamMetrics are the metrics of one IPAM call, allocation or release.
type ipamMetrics struct {
	calls, failures, conflicts prometheus.Counter
	// causes has a counter per Cause the call kind counts; a missing cause
	// is counted as CauseInternal.
	causes    map[Cause]prometheus.Counter
	durations *durations
	queueWait *durations
}

var _ ipam.Observer = (*Agent)(nil)

// NewAgent registers the agent's metrics on reg. Counters are exposed from
// the start, at 0.
func NewAgent(reg prometheus.Registerer) (*Agent, error) {
	r := &registrar{reg: reg}
	a := &Agent{
		allocation: newIPAMMetrics(r, "allocation", "IP allocations (CNI ADD)", CauseNoAvailablePool, CauseIPUsedOut),
		release:    newIPAMMetrics(r, "release", "IP releases (CNI DEL)"),
		autoPoolWaits: r.counter("spiderpool_debug_auto_pool_waited_for_available_counts_total",
			"Allocations that waited for an auto-created SpiderIPPool to become available (never incremented, as in Spiderpool)."),
	}
	if r.err != nil {
		return nil, r.err
	}
	return a, nil
}

// newIPAMMetrics registers spiderpool_ipam_<call>_*: the counters of every
// call kind plus those of extra causes.
func newIPAMMetrics(r *registrar, call, what string, extra ...Cause) ipamMetrics {
	p := "spiderpool_ipam_" + call
	m := ipamMetrics{
		calls:     r.counter(p+"_counts_total", what+" requested."),
		failures:  r.counter(p+"_failure_counts_total", what+" that failed."),
		conflicts: r.counter(p+"_update_ippool_conflict_counts_total", "SpiderIPPool status writes of "+what+" refused with a conflict and retried."),
		causes: map[Cause]prometheus.Counter{
			CauseInternal:         r.counter(p+"_err_internal_counts_total", what+" that failed for an internal reason."),
			CauseRetriesExhausted: r.counter(p+"_err_retries_exhausted_counts_total", what+" that ran out of time retrying, or had wrong input."),
		},
		durations: newDurations(r, p, "duration_seconds", "the duration of "+what),
		queueWait: newDurations(r, p, "limit_duration_seconds", "the wait of "+what+" in the agent's per-pool queue"),
	}
	names := map[Cause]string{
		CauseNoAvailablePool: p + "_err_no_available_pool_counts_total",
		CauseIPUsedOut:       p + "_err_ip_used_out_counts_total",
	}
	helps := map[Cause]string{
		CauseNoAvailablePool: what + " that failed because no candidate SpiderIPPool was available.",
		CauseIPUsedOut:       what + " that failed because every candidate SpiderIPPool was full.",
	}
	for _, c := range extra {
		m.causes[c] = r.counter(names[c], helps[c])
	}
	return m
}

// ObserveAllocation records one Allocate call that took d and returned err.
func (a *Agent) ObserveAllocation(d time.Duration, err error) {
	a.allocation.observe(d, err, AllocationCause)
}

// ObserveRelease records one Release call that took d and returned err.
func (a *Agent) ObserveRelease(d time.Duration, err error) {
	a.release.observe(d, err, ReleaseCause)
}

func (m *ipamMetrics) observe(d time.Duration, err error, classify func(error) Cause) {
	m.calls.Inc()
	m.durations.observe(d)
	if err == nil {
		return
	}
	m.failures.Inc()
	c, ok := m.causes[classify(err)]
	if !ok {
		c = m.causes[CauseInternal]
	}
	c.Inc()
}

// PoolQueueWait implements ipam.Observer.
func (a *Agent) PoolQueueWait(op ipam.Operation, wait time.Duration) {
	a.of(op).queueWait.observe(wait)
}

// PoolConflict implements ipam.Observer.
func (a *Agent) PoolConflict(op ipam.Operation) {
	a.of(op).conflicts.Inc()
}

func (a *Agent) of(op ipam.Operation) *ipamMetrics {
	if op == ipam.OperationRelease {
		return &a.release
	}
	return &a.allocation
}
