// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"net"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/metrics"
)

// newRegistry returns the agent's registry: its IPAM metrics plus the Go
// runtime and process metrics, which Spiderpool's exporter also exposes.
func newRegistry() (*prometheus.Registry, *metrics.Agent, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m, err := metrics.NewAgent(reg)
	if err != nil {
		return nil, nil, err
	}
	return reg, m, nil
}

// callRecorder is what measuredIPAM reports to; *metrics.Agent.
type callRecorder interface {
	ObserveAllocation(d time.Duration, err error)
	ObserveRelease(d time.Duration, err error)
}

// measuredIPAM counts and times the CNI ADD and DEL calls: one allocation
// per Allocate (one CNI ADD of a pod's interface), one release per Release.
// The batch release after an IP conflict and CHECK and GC are not counted,
// as in Spiderpool.
type measuredIPAM struct {
	IPAM
	rec callRecorder
	now func() time.Time
}

func newMeasuredIPAM(svc IPAM, rec callRecorder) *measuredIPAM {
	return &measuredIPAM{IPAM: svc, rec: rec, now: time.Now}
}

// Allocate implements IPAM.
func (m *measuredIPAM) Allocate(ctx context.Context, req ipam.AllocateRequest) (*ipam.Result, error) {
	start := m.now()
	res, err := m.IPAM.Allocate(ctx, req)
	m.rec.ObserveAllocation(m.now().Sub(start), err)
	return res, err
}

// Release implements IPAM.
func (m *measuredIPAM) Release(ctx context.Context, req ipam.ReleaseRequest) error {
	start := m.now()
	err := m.IPAM.Release(ctx, req)
	m.rec.ObserveRelease(m.now().Sub(start), err)
	return err
}

// metricsAddr is where the metrics are served: SPIDERPOOL_METRIC_HTTP_PORT
// on every address when SPIDERPOOL_ENABLED_METRIC is true, else nowhere.
func metricsAddr(env config.CommonEnv) string {
	if !env.EnableMetric {
		return ""
	}
	return net.JoinHostPort("", strconv.Itoa(env.MetricHTTPPort))
}
