// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package metrics

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Buckets returns the upper bounds, in seconds, of every spiderpool_*
// histogram (docs/reference/interface.md §8).
func Buckets() []float64 { return []float64{0.1, 0.3, 0.5, 1, 3, 5, 7, 10, 15} }

// register registers c on reg and returns it, or returns the collector of
// the same description already registered there (a second agent or manager
// in one process, as tests run them), so both update the same series.
func register[T prometheus.Collector](reg prometheus.Registerer, c T) (T, error) {
	err := reg.Register(c)
	var already prometheus.AlreadyRegisteredError
	if errors.As(err, &already) {
		if existing, ok := already.ExistingCollector.(T); ok {
			return existing, nil
		}
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("register metric: %w", err)
	}
	return c, nil
}

// registrar registers collectors one after the other and keeps the first
// error, so that a constructor reads as a list of metrics.
type registrar struct {
	reg prometheus.Registerer
	err error
}

func (r *registrar) counter(name, help string) prometheus.Counter {
	return registerWith(r, prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help}))
}

func (r *registrar) gauge(name, help string) prometheus.Gauge {
	return registerWith(r, prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help}))
}

func (r *registrar) gaugeVec(name, help, label string) *prometheus.GaugeVec {
	return registerWith(r, prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, []string{label}))
}

func (r *registrar) histogram(name, help string) prometheus.Histogram {
	return registerWith(r, prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: Buckets()}))
}

// registerWith registers c with r unless r has failed already; generic
// methods are not allowed, hence a function.
func registerWith[T prometheus.Collector](r *registrar, c T) T {
	if r.err != nil {
		return c
	}
	got, err := register(r.reg, c)
	if err != nil {
		r.err = err
		return c
	}
	return got
}
