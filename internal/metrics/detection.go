// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package metrics

import "github.com/prometheus/client_golang/prometheus"

// Names of the metrics of the plugin's IP conflict and gateway checks.
// Spiderpool counts neither, so these are ours, named like the agent's
// other IPAM metrics.
const (
	// IPConflicts counts, per pool, the pod addresses another host
	// answered for.
	IPConflicts = "spiderpool_ipam_ip_conflict_counts_total"
	// GatewaysUnreachable counts, per pool, the ADDs whose gateway did not
	// answer.
	GatewaysUnreachable = "spiderpool_ipam_gateway_unreachable_counts_total"
)

// Detection is the metric set of the conflict and gateway checks, as the
// agent learns them from the plugin. Its methods are safe for concurrent
// use.
type Detection struct {
	conflicts, gateways *prometheus.CounterVec
}

// NewDetection registers the metrics on reg. A series appears with a
// pool's first finding.
func NewDetection(reg prometheus.Registerer) (*Detection, error) {
	r := &registrar{reg: reg}
	d := &Detection{
		conflicts: registerWith(r, prometheus.NewCounterVec(prometheus.CounterOpts{Name: IPConflicts,
			Help: "Pod addresses found in use by another host by the IPAM plugin's probe, by SpiderIPPool; each is quarantined."}, []string{"pool"})),
		gateways: registerWith(r, prometheus.NewCounterVec(prometheus.CounterOpts{Name: GatewaysUnreachable,
			Help: "CNI ADDs failed because the pool's gateway did not answer the IPAM plugin's probe, by SpiderIPPool."}, []string{"pool"})),
	}
	if r.err != nil {
		return nil, r.err
	}
	return d, nil
}

// CountConflict counts one address of pool found in conflict.
func (d *Detection) CountConflict(pool string) { d.conflicts.WithLabelValues(pool).Inc() }

// CountUnreachableGateway counts one unreachable gateway of pool.
func (d *Detection) CountUnreachableGateway(pool string) { d.gateways.WithLabelValues(pool).Inc() }
