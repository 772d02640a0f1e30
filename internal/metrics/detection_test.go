// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package metrics_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/spiderpool-go/spiderpool/internal/metrics"
)

func TestDetection(t *testing.T) {
	reg := prometheus.NewRegistry()
	d, err := metrics.NewDetection(reg)
	if err != nil {
		t.Fatal(err)
	}
	d.CountConflict("a")
	d.CountConflict("a")
	d.CountUnreachableGateway("b")
	want := `
# HELP spiderpool_ipam_gateway_unreachable_counts_total CNI ADDs failed because the pool's gateway did not answer the IPAM plugin's probe, by SpiderIPPool.
# TYPE spiderpool_ipam_gateway_unreachable_counts_total counter
spiderpool_ipam_gateway_unreachable_counts_total{pool="b"} 1
# HELP spiderpool_ipam_ip_conflict_counts_total Pod addresses found in use by another host by the IPAM plugin's probe, by SpiderIPPool; each is quarantined.
# TYPE spiderpool_ipam_ip_conflict_counts_total counter
spiderpool_ipam_ip_conflict_counts_total{pool="a"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), metrics.IPConflicts, metrics.GatewaysUnreachable); err != nil {
		t.Error(err)
	}
	if _, err := metrics.NewDetection(reg); err != nil {
		t.Errorf("second registration: %v", err)
	}
}
