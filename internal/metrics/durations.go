// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// durations is one of Spiderpool's duration families: a histogram
// <prefix>_<suffix> and the gauges
// <prefix>_{average,max,min,latest}_<suffix>
// (docs/reference/interface.md §8.1), all in seconds, fed by the same
// observations.
type durations struct {
	hist                  prometheus.Histogram
	avg, hi, lo, latest   prometheus.Gauge
	mu                    sync.Mutex
	count                 uint64
	sum, minimum, maximum float64
}

// newDurations registers the family of prefix (spiderpool_ipam_allocation)
// and suffix (duration_seconds); what describes the observations in the
// help texts.
func newDurations(r *registrar, prefix, suffix, what string) *durations {
	name := func(stat string) string {
		if stat == "" {
			return prefix + "_" + suffix
		}
		return prefix + "_" + stat + "_" + suffix
	}
	return &durations{
		hist:   r.histogram(name(""), "Distribution of "+what+", in seconds."),
		avg:    r.gauge(name("average"), "Average of "+what+" since the process started, in seconds."),
		hi:     r.gauge(name("max"), "Longest of "+what+" since the process started, in seconds."),
		lo:     r.gauge(name("min"), "Shortest of "+what+" since the process started, in seconds."),
		latest: r.gauge(name("latest"), "Latest of "+what+", in seconds."),
	}
}

// observe records one duration.
func (d *durations) observe(v time.Duration) {
	sec := max(v.Seconds(), 0)
	d.hist.Observe(sec)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.count++
	d.sum += sec
	if d.count == 1 || sec < d.minimum {
		d.minimum = sec
	}
	d.maximum = max(d.maximum, sec)
	d.avg.Set(d.sum / float64(d.count))
	d.hi.Set(d.maximum)
	d.lo.Set(d.minimum)
	d.latest.Set(sec)
}
