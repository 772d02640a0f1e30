// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/rdmametrics"
)

// rdmaMetrics are the RDMA counters of SPIDERPOOL_ENABLED_RDMA_METRIC
// (docs/metrics.md): the collector and the book of pod netns paths the CNI
// ADDs fill.
type rdmaMetrics struct {
	node string
	pods *rdmametrics.PodBook
}

// newRDMAMetrics returns nil and svc unchanged when the RDMA metrics are
// off; otherwise the RDMA metrics and svc wrapped to record the netns of
// every pod it serves.
func newRDMAMetrics(enabled bool, node string, svc IPAM) (*rdmaMetrics, IPAM) {
	if !enabled {
		return nil, svc
	}
	r := &rdmaMetrics{node: node, pods: &rdmametrics.PodBook{}}
	return r, &podNetnsIPAM{IPAM: svc, pods: r.pods}
}

// register adds the RDMA collector to reg. Scan failures are logged when
// they differ from the previous one; a node without RDMA is logged once.
func (r *rdmaMetrics) register(ctx context.Context, reg prometheus.Registerer) error {
	if r == nil {
		return nil
	}
	log := logr.FromContextOrDiscard(ctx).WithName("rdma-metrics")
	var last string
	c := &rdmametrics.Collector{
		Scan: (&rdmametrics.Scanner{Node: r.node, Pods: r.pods}).Scan,
		OnError: func(err error) {
			if err.Error() == last {
				return
			}
			last = err.Error()
			if rdmametrics.Unsupported(err) {
				log.Info("no RDMA netlink family on this node: no RDMA metrics", "reason", err.Error())
				return
			}
			log.Error(err, "RDMA metrics: some devices or pod netns were not read")
		},
	}
	if err := reg.Register(c); err != nil && !errors.As(err, new(prometheus.AlreadyRegisteredError)) {
		return fmt.Errorf("register the RDMA metrics collector: %w", err)
	}
	log.Info("RDMA metrics enabled", "netnsDirs", rdmametrics.DefaultNetnsDirs, "interval", rdmametrics.DefaultInterval)
	return nil
}

// podNetnsIPAM records the netns path (CNI_NETNS) of every pod allocated
// to, so the RDMA series read there carry the pod, and forgets the pod on
// release.
type podNetnsIPAM struct {
	IPAM
	pods *rdmametrics.PodBook
}

// Allocate implements IPAM.
func (p *podNetnsIPAM) Allocate(ctx context.Context, req ipam.AllocateRequest) (*ipam.Result, error) {
	res, err := p.IPAM.Allocate(ctx, req)
	if err == nil {
		p.pods.Add(req.NetNS, rdmametrics.Pod{Namespace: req.PodNamespace, Name: req.PodName})
	}
	return res, err
}

// Release implements IPAM.
func (p *podNetnsIPAM) Release(ctx context.Context, req ipam.ReleaseRequest) error {
	p.pods.Forget(rdmametrics.Pod{Namespace: req.PodNamespace, Name: req.PodName})
	return p.IPAM.Release(ctx, req)
}
