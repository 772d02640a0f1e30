// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package metrics_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/spiderpool-go/spiderpool/internal/metrics"
)

func newPools(t *testing.T, opts metrics.PoolsOptions) (*metrics.Pools, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	p, err := metrics.NewPools(reg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p, reg
}

// TestPoolGauges: the per-pool gauges hold the current figures (not a sum
// of every update, Spiderpool's quirk) and go with the pool.
func TestPoolGauges(t *testing.T) {
	p, reg := newPools(t, metrics.PoolsOptions{})
	p.SetPool("a", 10, 3)
	p.SetPool("a", 10, 4) // an update replaces, never adds
	p.SetPool("b", 5, 7)  // records outside spec.ips: none available, not -2
	expected := `
# HELP spiderpool_ippool_available_ip_counts IP addresses of the SpiderIPPool not allocated.
# TYPE spiderpool_ippool_available_ip_counts gauge
spiderpool_ippool_available_ip_counts{SpiderIPPool="a"} 6
spiderpool_ippool_available_ip_counts{SpiderIPPool="b"} 0
# HELP spiderpool_ippool_total_ip_counts IP addresses of the SpiderIPPool (totalIPCount).
# TYPE spiderpool_ippool_total_ip_counts gauge
spiderpool_ippool_total_ip_counts{SpiderIPPool="a"} 10
spiderpool_ippool_total_ip_counts{SpiderIPPool="b"} 5
# HELP spiderpool_total_ippool_counts SpiderIPPools in the cluster.
# TYPE spiderpool_total_ippool_counts gauge
spiderpool_total_ippool_counts 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(expected)); err != nil {
		t.Error(err)
	}
	p.DeletePool("a")
	p.DeletePool("never-seen")
	expected = `
# HELP spiderpool_ippool_available_ip_counts IP addresses of the SpiderIPPool not allocated.
# TYPE spiderpool_ippool_available_ip_counts gauge
spiderpool_ippool_available_ip_counts{SpiderIPPool="b"} 0
# HELP spiderpool_ippool_total_ip_counts IP addresses of the SpiderIPPool (totalIPCount).
# TYPE spiderpool_ippool_total_ip_counts gauge
spiderpool_ippool_total_ip_counts{SpiderIPPool="b"} 5
# HELP spiderpool_total_ippool_counts SpiderIPPools in the cluster.
# TYPE spiderpool_total_ippool_counts gauge
spiderpool_total_ippool_counts 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(expected)); err != nil {
		t.Error(err)
	}
	if diff := cmp.Diff([]string{"b"}, p.Pools()); diff != "" {
		t.Errorf("Pools() (-want +got):\n%s", diff)
	}
}

// TestSubnetsOff: without subnets there is no subnet metric, and subnet
// updates do nothing.
func TestSubnetsOff(t *testing.T) {
	p, reg := newPools(t, metrics.PoolsOptions{Debug: true})
	p.SetSubnet("s", 100, 10, 2)
	p.DeleteSubnet("s")
	for name := range gather(t, reg) {
		if strings.Contains(name, "subnet") {
			t.Errorf("metric %s exists without subnets", name)
		}
	}
	if len(p.Subnets()) != 0 {
		t.Errorf("Subnets() = %v", p.Subnets())
	}
}

// TestDebugNames: with Debug, Spiderpool's debug names carry the same
// figures, and go with the object too.
func TestDebugNames(t *testing.T) {
	p, reg := newPools(t, metrics.PoolsOptions{Subnets: true, Debug: true})
	p.SetPool("a", 10, 3)
	p.SetSubnet("s", 100, 10, 2)
	p.SetSubnet("t", 50, 0, 0)
	want := map[string]float64{
		"spiderpool_debug_ippool_total_ip_counts_total":     10,
		"spiderpool_debug_ippool_available_ip_counts_total": 7,
		"spiderpool_subnet_total_ip_counts":                 100 + 50,
		"spiderpool_subnet_available_ip_counts":             90 + 50,
		"spiderpool_debug_subnet_total_ip_counts_total":     100 + 50,
		"spiderpool_debug_subnet_available_ip_counts_total": 90 + 50,
		"spiderpool_debug_subnet_ippool_counts":             2,
		"spiderpool_total_subnet_counts":                    2,
	}
	for name, w := range want {
		if got := sum(t, reg, name); got != w {
			t.Errorf("%s = %v, want %v", name, got, w)
		}
	}
	p.DeleteSubnet("s")
	p.DeletePool("a")
	for name := range want {
		wantN := 0 // pool a's series are gone
		if strings.Contains(name, "subnet") || strings.HasPrefix(name, "spiderpool_total") {
			wantN = 1 // subnet t's series, or the count
		}
		if n, err := testutil.GatherAndCount(reg, name); err != nil || n != wantN {
			t.Errorf("%s has %d series after the deletes (%v), want %d", name, n, err, wantN)
		}
	}
	if got := p.Subnets(); !slices.Equal(got, []string{"t"}) {
		t.Errorf("Subnets() = %v", got)
	}
}

// sum returns the sum of the values of every series of family name.
func sum(t *testing.T, reg prometheus.Gatherer, name string) float64 {
	t.Helper()
	mf, ok := gather(t, reg)[name]
	if !ok {
		t.Fatalf("no family %s", name)
	}
	total := 0.0
	for _, m := range mf.GetMetric() {
		total += m.GetGauge().GetValue() + m.GetCounter().GetValue()
	}
	return total
}
