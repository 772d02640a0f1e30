// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics

import (
	"regexp"
	"strconv"
)

// Keys of the series that do not come from `rdma statistic`.
const (
	KeyRxDiscards = "rx_discards"
	KeyTxDiscards = "tx_discards"
	KeyRxPause    = "rx_pause"
	KeyTxPause    = "tx_pause"
	KeyVportSpeed = "vport_speed_mbps"
	KeyDeviceTOS  = "device_tos"
)

// KnownKeys are the counter keys Spiderpool registers up front
// (docs/metrics.md); any other counter `rdma statistic` reports is exported
// too, under MetricName of its key.
var KnownKeys = []string{
	"rx_write_requests", "rx_read_requests", "rx_atomic_requests", "rx_dct_connect",
	"out_of_buffer", "out_of_sequence", "duplicate_request", "rnr_nak_retry_err",
	"packet_seq_err", "implied_nak_seq_err", "local_ack_timeout_err", "resp_local_length_error",
	"resp_cqe_error", "req_cqe_error", "req_remote_invalid_request", "req_remote_access_errors",
	"resp_remote_access_errors", "resp_cqe_flush_error", "req_cqe_flush_error", "roce_adp_retrans",
	"roce_adp_retrans_to", "roce_slow_restart", "roce_slow_restart_cnps", "roce_slow_restart_trans",
	"rp_cnp_ignored", "rp_cnp_handled", "np_ecn_marked_roce_packets", "np_cnp_sent",
	"rx_icrc_encapsulated",
	"rx_vport_rdma_unicast_packets", "rx_vport_rdma_unicast_bytes",
	"rx_vport_rdma_multicast_packets", "rx_vport_rdma_multicast_bytes",
	"tx_vport_rdma_unicast_packets", "tx_vport_rdma_unicast_bytes",
	"tx_vport_rdma_multicast_packets", "tx_vport_rdma_multicast_bytes",
	KeyVportSpeed, KeyRxDiscards, KeyTxDiscards, KeyRxPause, KeyTxPause, KeyDeviceTOS,
}

// KnownMetricNames returns the exposition names of KnownKeys.
func KnownMetricNames() []string {
	out := make([]string, len(KnownKeys))
	for i, k := range KnownKeys {
		out[i] = MetricName(k)
	}
	return out
}

// ethtoolTotals maps the port-wide mlx5 ethtool statistics to their keys:
// the RDMA vport traffic counters keep their names.
var ethtoolTotals = map[string]string{
	"rx_discards_phy":                 KeyRxDiscards,
	"tx_discards_phy":                 KeyTxDiscards,
	"rx_pause_ctrl_phy":               KeyRxPause,
	"tx_pause_ctrl_phy":               KeyTxPause,
	"rx_vport_rdma_unicast_packets":   "rx_vport_rdma_unicast_packets",
	"rx_vport_rdma_unicast_bytes":     "rx_vport_rdma_unicast_bytes",
	"rx_vport_rdma_multicast_packets": "rx_vport_rdma_multicast_packets",
	"rx_vport_rdma_multicast_bytes":   "rx_vport_rdma_multicast_bytes",
	"tx_vport_rdma_unicast_packets":   "tx_vport_rdma_unicast_packets",
	"tx_vport_rdma_unicast_bytes":     "tx_vport_rdma_unicast_bytes",
	"tx_vport_rdma_multicast_packets": "tx_vport_rdma_multicast_packets",
	"tx_vport_rdma_multicast_bytes":   "tx_vport_rdma_multicast_bytes",
}

// ethtoolPrio matches the per-priority statistics: rx_prio3_pause,
// tx_prio0_pause, rx_prio5_discards.
var ethtoolPrio = regexp.MustCompile(`^(rx|tx)_prio([0-7])_(pause|discards)$`)

// ethtoolSamples returns the pause and discard series of a netdev's ethtool
// statistics and its RDMA vport traffic: the port-wide ones with base's labels, the per-priority ones
// with a priority label as well. Other statistics are left out.
func ethtoolSamples(stats map[string]uint64, base map[string]string) []Sample {
	var out []Sample
	for name, v := range stats {
		if key, ok := ethtoolTotals[name]; ok {
			out = append(out, Sample{Name: MetricName(key), Labels: base, Value: float64(v)})
			continue
		}
		m := ethtoolPrio.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		l := make(map[string]string, len(base)+1)
		for k, val := range base {
			l[k] = val
		}
		prio, _ := strconv.Atoi(m[2])
		l[LabelPriority] = strconv.Itoa(prio)
		out = append(out, Sample{Name: MetricName(m[1] + "_" + m[3]), Labels: l, Value: float64(v)})
	}
	return out
}
