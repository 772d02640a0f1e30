// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics_test

import "github.com/spiderpool-go/spiderpool/internal/rdmametrics"

// mlx5Counters are the hardware counters of port 1 of a ConnectX-6 Dx in
// RoCE mode, as `rdma statistic show link mlx5_0/1 -j` prints them and
// netlink.RdmaStatistic returns them (recorded by hand for these tests).
func mlx5Counters() map[string]uint64 {
	return map[string]uint64{
		"rx_write_requests": 1830211, "rx_read_requests": 52, "rx_atomic_requests": 0, "rx_dct_connect": 0,
		"out_of_buffer": 17, "out_of_sequence": 3, "duplicate_request": 0, "rnr_nak_retry_err": 0,
		"packet_seq_err": 1, "implied_nak_seq_err": 0, "local_ack_timeout_err": 2,
		"resp_local_length_error": 0, "resp_cqe_error": 0, "req_cqe_error": 0,
		"req_remote_invalid_request": 0, "req_remote_access_errors": 0, "resp_remote_access_errors": 0,
		"resp_cqe_flush_error": 0, "req_cqe_flush_error": 0, "roce_adp_retrans": 0,
		"roce_adp_retrans_to": 0, "roce_slow_restart": 0, "roce_slow_restart_cnps": 0,
		"roce_slow_restart_trans": 0, "rp_cnp_ignored": 0, "rp_cnp_handled": 4417,
		"np_ecn_marked_roce_packets": 5120, "np_cnp_sent": 4980, "rx_icrc_encapsulated": 0,
	}
}

// mlx5Ethtool is an excerpt of `ethtool -S ens1f0np0` of the same card:
// the statistics the package maps, per-priority ones and some it ignores.
func mlx5Ethtool() map[string]uint64 {
	return map[string]uint64{
		"rx_packets": 99120, "tx_packets": 98011, "rx_bytes": 81112330,
		"rx_vport_rdma_unicast_packets": 2201933, "rx_vport_rdma_unicast_bytes": 9018327040,
		"tx_vport_rdma_unicast_packets": 2199201, "tx_vport_rdma_unicast_bytes": 9007128576,
		"rx_vport_rdma_multicast_packets": 0, "rx_vport_rdma_multicast_bytes": 0,
		"tx_vport_rdma_multicast_packets": 0, "tx_vport_rdma_multicast_bytes": 0,
		"rx_discards_phy": 12, "tx_discards_phy": 0, "rx_pause_ctrl_phy": 340, "tx_pause_ctrl_phy": 25,
		"rx_prio3_pause": 340, "tx_prio3_pause": 25, "rx_prio0_pause": 0, "rx_prio3_discards": 12,
		"rx_prio3_pause_duration": 8800, "rx_prio8_pause": 1,
	}
}

func ptr(v uint64) *uint64 { return &v }

// hostMlx5 is the PF mlx5_0 in the host netns.
func hostMlx5() rdmametrics.Device {
	return rdmametrics.Device{
		Name: "mlx5_0", NodeGUID: "b8:ce:f6:03:00:a1:4c:30", SysImageGUID: "b8:ce:f6:03:00:a1:4c:30",
		NetDev: "ens1f0np0", Ports: []rdmametrics.Port{{Index: 1, Counters: mlx5Counters()}},
		Ethtool: mlx5Ethtool(), SpeedMbps: ptr(100000), TOS: ptr(106),
	}
}

// podVF is VF mlx5_3 of mlx5_0, moved into a pod netns (exclusive mode):
// sysfs could not tell its traffic class there, and its netdev has no
// per-priority statistics.
func podVF() rdmametrics.Device {
	return rdmametrics.Device{
		Name: "mlx5_3", NodeGUID: "00:00:00:00:00:00:00:00", SysImageGUID: "b8:ce:f6:03:00:a1:4c:30",
		NetDev: "net1", Parent: "mlx5_0",
		Ports:   []rdmametrics.Port{{Index: 1, Counters: map[string]uint64{"out_of_buffer": 4, "np_cnp_sent": 10}}},
		Ethtool: map[string]uint64{"rx_vport_rdma_unicast_bytes": 4096, "rx_packets": 3}, SpeedMbps: ptr(100000),
	}
}
