// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"fmt"
	"net/http"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/metrics"
)

// Controller names of the metric reconcilers: a kind's status reconciler
// already has the default name.
const (
	poolMetricsController   = "spiderippool-metrics"
	subnetMetricsController = "spidersubnet-metrics"
)

// setupMetrics keeps the pool and subnet metrics
// (docs/reference/interface.md §8.2) on controller-runtime's registry, which
// the manager serves on SPIDERPOOL_METRIC_HTTP_PORT: every change of a pool
// or subnet updates its series at once, and the whole set is recounted every
// SPIDERPOOL_METRIC_RENEW_PERIOD. Leader only, as Spiderpool's informers, so
// that the replicas do not expose the same figures several times.
func setupMetrics(mgr ctrl.Manager, opts Options) error {
	m, err := metrics.NewPools(ctrlmetrics.Registry, metrics.PoolsOptions{
		Subnets: opts.ConfigMap.EnableSpiderSubnet, Debug: opts.Env.EnableDebugMetric,
	})
	if err != nil {
		return fmt.Errorf("pool metrics: %w", err)
	}
	pools := &poolMetrics{reader: mgr.GetClient(), metrics: m}
	err = ctrl.NewControllerManagedBy(mgr).Named(poolMetricsController).For(&spiderpoolv2beta1.SpiderIPPool{}).Complete(pools)
	if err != nil {
		return fmt.Errorf("set up SpiderIPPool metrics: %w", err)
	}
	renew := &metricsRenewer{period: opts.Env.MetricRenewPeriod, pools: pools}
	if opts.ConfigMap.EnableSpiderSubnet {
		renew.subnets = &subnetMetrics{reader: mgr.GetClient(), metrics: m}
		err = ctrl.NewControllerManagedBy(mgr).Named(subnetMetricsController).For(&spiderpoolv2beta1.SpiderSubnet{}).Complete(renew.subnets)
		if err != nil {
			return fmt.Errorf("set up SpiderSubnet metrics: %w", err)
		}
	}
	if err := mgr.Add(renew); err != nil {
		return fmt.Errorf("add metrics renewal: %w", err)
	}
	return nil
}

// poolMetrics keeps a pool's series true to the cached pool.
type poolMetrics struct {
	reader  client.Reader
	metrics *metrics.Pools
}

// Reconcile implements reconcile.Reconciler.
func (r *poolMetrics) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := r.reader.Get(ctx, req.NamespacedName, pool); err != nil {
		if client.IgnoreNotFound(err) == nil {
			r.metrics.DeletePool(req.Name)
		}
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	r.update(pool)
	return reconcile.Result{}, nil
}

// update sets the series of pool. A pool whose spec or records do not
// parse has no series: its status reconciler reports why.
func (r *poolMetrics) update(pool *spiderpoolv2beta1.SpiderIPPool) {
	c, err := poolCounts(pool)
	if err != nil {
		r.metrics.DeletePool(pool.Name)
		return
	}
	r.metrics.SetPool(pool.Name, c.total, c.allocated)
}

// subnetMetrics keeps a subnet's series true to the cached subnet.
type subnetMetrics struct {
	reader  client.Reader
	metrics *metrics.Pools
}

// Reconcile implements reconcile.Reconciler.
func (r *subnetMetrics) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	subnet := &spiderpoolv2beta1.SpiderSubnet{}
	if err := r.reader.Get(ctx, req.NamespacedName, subnet); err != nil {
		if client.IgnoreNotFound(err) == nil {
			r.metrics.DeleteSubnet(req.Name)
		}
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	r.update(subnet)
	return reconcile.Result{}, nil
}

func (r *subnetMetrics) update(subnet *spiderpoolv2beta1.SpiderSubnet) {
	c, err := subnetCounts(subnet)
	if err != nil {
		r.metrics.DeleteSubnet(subnet.Name)
		return
	}
	controlled, err := spiderpoolv2beta1.ParseControlledIPPools(subnet.Status.ControlledIPPools)
	if err != nil {
		r.metrics.DeleteSubnet(subnet.Name)
		return
	}
	r.metrics.SetSubnet(subnet.Name, c.total, c.allocated, len(controlled))
}

// metricsOptions serves controller-runtime's registry, where the GC, pool
// and controller-runtime metrics are, on SPIDERPOOL_METRIC_HTTP_PORT when
// SPIDERPOOL_ENABLED_METRIC is true: at /metrics, as controller-runtime
// does, and on every other path, as Spiderpool does.
func metricsOptions(opts Options) metricsserver.Options {
	return metricsserver.Options{
		BindAddress:   opts.metricsAddr(),
		ExtraHandlers: map[string]http.Handler{"/": metrics.Handler(ctrlmetrics.Registry)},
	}
}
