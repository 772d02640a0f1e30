// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/metrics"
)

func metricsPool(name string, ips []string, records spiderpoolv2beta1.PoolIPAllocations) *spiderpoolv2beta1.SpiderIPPool {
	return &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       spiderpoolv2beta1.IPPoolSpec{Subnet: "10.7.0.0/24", IPs: ips},
		Status:     spiderpoolv2beta1.IPPoolStatus{AllocatedIPs: spiderpoolv2beta1.FormatAllocatedIPs(records)},
	}
}

func metricsSubnet(name string, pools spiderpoolv2beta1.PoolIPPreAllocations) *spiderpoolv2beta1.SpiderSubnet {
	return &spiderpoolv2beta1.SpiderSubnet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       spiderpoolv2beta1.SubnetSpec{Subnet: "10.7.0.0/24", IPs: []string{"10.7.0.1-10.7.0.100"}},
		Status:     spiderpoolv2beta1.SubnetStatus{ControlledIPPools: spiderpoolv2beta1.FormatControlledIPPools(pools)},
	}
}

// metricsFixture is the metric reconcilers over a fake client.
type metricsFixture struct {
	client  client.Client
	reg     *prometheus.Registry
	renewer *metricsRenewer
}

func newMetricsFixture(t *testing.T, objs ...client.Object) *metricsFixture {
	t.Helper()
	scheme, err := newScheme()
	if err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).Build()
	reg := prometheus.NewRegistry()
	m, err := metrics.NewPools(reg, metrics.PoolsOptions{Subnets: true, Debug: true})
	if err != nil {
		t.Fatal(err)
	}
	return &metricsFixture{client: c, reg: reg, renewer: &metricsRenewer{
		pools: &poolMetrics{reader: c, metrics: m}, subnets: &subnetMetrics{reader: c, metrics: m},
	}}
}

func (f *metricsFixture) reconcilePool(t *testing.T, name string) {
	t.Helper()
	if _, err := f.renewer.pools.Reconcile(t.Context(), reconcile.Request{NamespacedName: types.NamespacedName{Name: name}}); err != nil {
		t.Fatal(err)
	}
}

func (f *metricsFixture) reconcileSubnet(t *testing.T, name string) {
	t.Helper()
	if _, err := f.renewer.subnets.Reconcile(t.Context(), reconcile.Request{NamespacedName: types.NamespacedName{Name: name}}); err != nil {
		t.Fatal(err)
	}
}

func (f *metricsFixture) compare(t *testing.T, expected string, names ...string) {
	t.Helper()
	if err := testutil.GatherAndCompare(f.reg, strings.NewReader(expected), names...); err != nil {
		t.Error(err)
	}
}

// TestPoolMetricsFollowEvents: a reconcile sets the pool's gauges from its
// spec and records, and a deleted pool loses its series.
func TestPoolMetricsFollowEvents(t *testing.T) {
	f := newMetricsFixture(t,
		metricsPool("a", []string{"10.7.0.1-10.7.0.10"}, spiderpoolv2beta1.PoolIPAllocations{
			"10.7.0.1": spiderpoolv2beta1.NewPoolIPAllocation("ns", "p", "uid-p"),
		}),
		metricsPool("broken", []string{"10.7.0.20-10.7.0.1"}, nil))
	f.reconcilePool(t, "a")
	f.reconcilePool(t, "broken")
	f.compare(t, `
# HELP spiderpool_ippool_available_ip_counts IP addresses of the SpiderIPPool not allocated.
# TYPE spiderpool_ippool_available_ip_counts gauge
spiderpool_ippool_available_ip_counts{SpiderIPPool="a"} 9
# HELP spiderpool_total_ippool_counts SpiderIPPools in the cluster.
# TYPE spiderpool_total_ippool_counts gauge
spiderpool_total_ippool_counts 1
`, "spiderpool_ippool_available_ip_counts", "spiderpool_total_ippool_counts")

	if err := f.client.Delete(t.Context(), &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: "a"}}); err != nil {
		t.Fatal(err)
	}
	f.reconcilePool(t, "a")
	f.compare(t, `
# HELP spiderpool_total_ippool_counts SpiderIPPools in the cluster.
# TYPE spiderpool_total_ippool_counts gauge
spiderpool_total_ippool_counts 0
`, "spiderpool_ippool_available_ip_counts", "spiderpool_debug_ippool_available_ip_counts_total", "spiderpool_total_ippool_counts")
}

// TestRenewRecounts: a renewal adds what no event reported and drops
// series of objects whose deletion was missed.
func TestRenewRecounts(t *testing.T) {
	f := newMetricsFixture(t,
		metricsPool("a", []string{"10.7.0.1-10.7.0.10"}, nil),
		metricsPool("b", []string{"10.7.0.11-10.7.0.12"}, nil),
		metricsSubnet("s", spiderpoolv2beta1.PoolIPPreAllocations{"a": {IPs: []string{"10.7.0.1-10.7.0.10"}}}))
	f.renewer.pools.metrics.SetPool("gone", 5, 0)
	f.renewer.subnets.metrics.SetSubnet("gone", 5, 0, 1)
	if err := f.renewer.renew(t.Context()); err != nil {
		t.Fatal(err)
	}
	f.compare(t, `
# HELP spiderpool_ippool_total_ip_counts IP addresses of the SpiderIPPool (totalIPCount).
# TYPE spiderpool_ippool_total_ip_counts gauge
spiderpool_ippool_total_ip_counts{SpiderIPPool="a"} 10
spiderpool_ippool_total_ip_counts{SpiderIPPool="b"} 2
# HELP spiderpool_subnet_available_ip_counts IP addresses of the SpiderSubnet not allocated.
# TYPE spiderpool_subnet_available_ip_counts gauge
spiderpool_subnet_available_ip_counts{SpiderSubnet="s"} 90
# HELP spiderpool_debug_subnet_ippool_counts SpiderIPPools controlled by the SpiderSubnet.
# TYPE spiderpool_debug_subnet_ippool_counts gauge
spiderpool_debug_subnet_ippool_counts{SpiderSubnet="s"} 1
# HELP spiderpool_total_ippool_counts SpiderIPPools in the cluster.
# TYPE spiderpool_total_ippool_counts gauge
spiderpool_total_ippool_counts 2
# HELP spiderpool_total_subnet_counts SpiderSubnets in the cluster.
# TYPE spiderpool_total_subnet_counts gauge
spiderpool_total_subnet_counts 1
`, "spiderpool_ippool_total_ip_counts", "spiderpool_subnet_available_ip_counts", "spiderpool_debug_subnet_ippool_counts",
		"spiderpool_total_ippool_counts", "spiderpool_total_subnet_counts")

	if err := f.client.Delete(t.Context(), &spiderpoolv2beta1.SpiderSubnet{ObjectMeta: metav1.ObjectMeta{Name: "s"}}); err != nil {
		t.Fatal(err)
	}
	f.reconcileSubnet(t, "s")
	if n, err := testutil.GatherAndCount(f.reg, "spiderpool_subnet_total_ip_counts", "spiderpool_debug_subnet_ippool_counts"); err != nil || n != 0 {
		t.Errorf("subnet series after delete = %d (%v), want 0", n, err)
	}
}

func TestMetricsOptions(t *testing.T) {
	on := metricsOptions(Options{Env: config.ControllerEnv{CommonEnv: config.CommonEnv{EnableMetric: true, MetricHTTPPort: 5721}}})
	if on.BindAddress != ":5721" {
		t.Errorf("BindAddress = %q, want :5721", on.BindAddress)
	}
	if on.ExtraHandlers["/"] == nil {
		t.Error("no handler on every path")
	}
	off := metricsOptions(Options{})
	if off.BindAddress != "0" {
		t.Errorf("BindAddress = %q with metrics off, want 0", off.BindAddress)
	}
}
