// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultInterval is the shortest time between two scans: scrapes in
// between are answered from the last scan.
const DefaultInterval = 15 * time.Second

// DefaultScanTimeout bounds one whole scan.
const DefaultScanTimeout = 10 * time.Second

// ScanFunc reads the samples; (*Scanner).Scan.
type ScanFunc func(ctx context.Context) ([]Sample, error)

// Collector is a prometheus.Collector of the RDMA counters. It is
// unchecked (it describes nothing up front), since the counters a device
// reports are known only once it is read. A scrape rescans when the last
// scan is older than Interval; scrapes never run two scans at once.
type Collector struct {
	// Scan reads the samples.
	Scan ScanFunc
	// Interval is the cache lifetime (DefaultInterval when 0); Timeout
	// bounds a scan (DefaultScanTimeout when 0).
	Interval, Timeout time.Duration
	// OnError is told of every failed scan; may be nil. Samples read before
	// the failure are still served.
	OnError func(error)
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	mu      sync.Mutex
	scanned time.Time
	samples []Sample
}

// Describe implements prometheus.Collector: nothing, an unchecked collector.
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.current() {
		names := s.LabelNames()
		values := make([]string, len(names))
		for i, n := range names {
			values[i] = s.Labels[n]
		}
		desc := prometheus.NewDesc(s.Name, help(s.Name), names, nil)
		m, err := prometheus.NewConstMetric(desc, prometheus.CounterValue, s.Value, values...)
		if err != nil {
			m = prometheus.NewInvalidMetric(desc, err)
		}
		ch <- m
	}
}

// current returns the cached samples, rescanning when they are stale.
func (c *Collector) current() []Sample {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if !c.scanned.IsZero() && now.Sub(c.scanned) < orDefault(c.Interval, DefaultInterval) {
		return c.samples
	}
	ctx, cancel := context.WithTimeout(context.Background(), orDefault(c.Timeout, DefaultScanTimeout))
	defer cancel()
	samples, err := c.Scan(ctx)
	if err != nil && c.OnError != nil {
		c.OnError(err)
	}
	c.samples, c.scanned = samples, now
	return samples
}

func (c *Collector) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// help is the HELP text of a family: the counter key and where it is read.
func help(name string) string {
	key := strings.TrimSuffix(strings.TrimPrefix(name, "rdma_"), "_total")
	switch key {
	case KeyRxDiscards, KeyTxDiscards, KeyRxPause, KeyTxPause:
		return "RDMA netdev ethtool statistic " + key + " (port-wide, or per priority with the priority label)."
	case KeyVportSpeed:
		return "Link speed of the RDMA device's netdev, in Mbit/s."
	case KeyDeviceTOS:
		return "RoCE traffic class (ToS) of the RDMA device."
	}
	return "RDMA hardware counter " + key + " of the device (rdma statistic), summed over its ports."
}
