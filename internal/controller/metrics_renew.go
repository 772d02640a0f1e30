// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// metricsRenewer recounts every pool and subnet each period
// (SPIDERPOOL_METRIC_RENEW_PERIOD), as Spiderpool refreshes its count
// gauges: the reconcilers keep the series current between two renewals,
// and a renewal drops the series of objects whose deletion event was
// missed. It runs on the leader only (a manager.Runnable that does not opt
// out of leader election).
type metricsRenewer struct {
	period  time.Duration
	pools   *poolMetrics
	subnets *subnetMetrics // nil without subnets
}

var _ manager.Runnable = (*metricsRenewer)(nil)

// Start implements manager.Runnable.
func (m *metricsRenewer) Start(ctx context.Context) error {
	if m.period <= 0 {
		return nil
	}
	t := time.NewTicker(m.period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := m.renew(ctx); err != nil {
			logr.FromContextOrDiscard(ctx).Error(err, "renew pool metrics; next period retries")
		}
	}
}

// renew recounts every pool and subnet from the cache.
func (m *metricsRenewer) renew(ctx context.Context) error {
	var pools spiderpoolv2beta1.SpiderIPPoolList
	if err := m.pools.reader.List(ctx, &pools); err != nil {
		return fmt.Errorf("list SpiderIPPools: %w", err)
	}
	seen := map[string]bool{}
	for i := range pools.Items {
		seen[pools.Items[i].Name] = true
		m.pools.update(&pools.Items[i])
	}
	for _, name := range m.pools.metrics.Pools() {
		if !seen[name] {
			m.pools.metrics.DeletePool(name)
		}
	}
	if m.subnets == nil {
		return nil
	}
	return m.renewSubnets(ctx)
}

func (m *metricsRenewer) renewSubnets(ctx context.Context) error {
	var subnets spiderpoolv2beta1.SpiderSubnetList
	if err := m.subnets.reader.List(ctx, &subnets); err != nil {
		return fmt.Errorf("list SpiderSubnets: %w", err)
	}
	seen := map[string]bool{}
	for i := range subnets.Items {
		seen[subnets.Items[i].Name] = true
		m.subnets.update(&subnets.Items[i])
	}
	for _, name := range m.subnets.metrics.Subnets() {
		if !seen[name] {
			m.subnets.metrics.DeleteSubnet(name)
		}
	}
	return nil
}
