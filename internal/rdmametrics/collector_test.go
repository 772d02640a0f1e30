// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/spiderpool-go/spiderpool/internal/rdmametrics"
)

// fixtureScan returns the host PF and a pod VF, and counts its calls.
func fixtureScan(calls *int, err error) rdmametrics.ScanFunc {
	return func(context.Context) ([]rdmametrics.Sample, error) {
		*calls++
		out := rdmametrics.Samples("node-1", rdmametrics.Snapshot{IsRoot: true, Devices: []rdmametrics.Device{hostMlx5()}})
		pod := rdmametrics.Snapshot{Pod: &rdmametrics.Pod{Namespace: "ai", Name: "trainer-0"}, Devices: []rdmametrics.Device{podVF()}}
		return append(out, rdmametrics.Samples("node-1", pod)...), err
	}
}

func registry(t *testing.T, c *rdmametrics.Collector) *prometheus.Registry {
	t.Helper()
	reg := prometheus.NewRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestKnownMetricNames pins Spiderpool's RDMA names: every one a counter
// named rdma_<key>_total.
func TestKnownMetricNames(t *testing.T) {
	want := []string{
		"rdma_rx_write_requests_total", "rdma_rx_read_requests_total", "rdma_rx_atomic_requests_total", "rdma_rx_dct_connect_total",
		"rdma_out_of_buffer_total", "rdma_out_of_sequence_total", "rdma_duplicate_request_total", "rdma_rnr_nak_retry_err_total",
		"rdma_packet_seq_err_total", "rdma_implied_nak_seq_err_total", "rdma_local_ack_timeout_err_total", "rdma_resp_local_length_error_total",
		"rdma_resp_cqe_error_total", "rdma_req_cqe_error_total", "rdma_req_remote_invalid_request_total", "rdma_req_remote_access_errors_total",
		"rdma_resp_remote_access_errors_total", "rdma_resp_cqe_flush_error_total", "rdma_req_cqe_flush_error_total", "rdma_roce_adp_retrans_total",
		"rdma_roce_adp_retrans_to_total", "rdma_roce_slow_restart_total", "rdma_roce_slow_restart_cnps_total", "rdma_roce_slow_restart_trans_total",
		"rdma_rp_cnp_ignored_total", "rdma_rp_cnp_handled_total", "rdma_np_ecn_marked_roce_packets_total", "rdma_np_cnp_sent_total",
		"rdma_rx_icrc_encapsulated_total",
		"rdma_rx_vport_rdma_unicast_packets_total", "rdma_rx_vport_rdma_unicast_bytes_total",
		"rdma_rx_vport_rdma_multicast_packets_total", "rdma_rx_vport_rdma_multicast_bytes_total",
		"rdma_tx_vport_rdma_unicast_packets_total", "rdma_tx_vport_rdma_unicast_bytes_total",
		"rdma_tx_vport_rdma_multicast_packets_total", "rdma_tx_vport_rdma_multicast_bytes_total",
		"rdma_vport_speed_mbps_total", "rdma_rx_discards_total", "rdma_tx_discards_total", "rdma_rx_pause_total", "rdma_tx_pause_total",
		"rdma_device_tos_total",
	}
	if diff := cmp.Diff(want, rdmametrics.KnownMetricNames()); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	var calls int
	mfs, err := registry(t, &rdmametrics.Collector{Scan: fixtureScan(&calls, nil)}).Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if !slices.Contains(want, mf.GetName()) || mf.GetType() != dto.MetricType_COUNTER {
			t.Errorf("exposed %s %v; the fixture has only known counters", mf.GetName(), mf.GetType())
		}
	}
	if len(mfs) != len(want) {
		t.Errorf("%d families exposed, want all %d", len(mfs), len(want))
	}
}

// TestCollectorExposition: one series as Prometheus reads it; families mix
// host series, pod series with pod labels and per-priority series.
func TestCollectorExposition(t *testing.T) {
	var calls int
	reg := registry(t, &rdmametrics.Collector{Scan: fixtureScan(&calls, nil)})
	expected := `
# HELP rdma_out_of_buffer_total RDMA hardware counter out_of_buffer of the device (rdma statistic), summed over its ports.
# TYPE rdma_out_of_buffer_total counter
rdma_out_of_buffer_total{ifname="mlx5_0",is_root="true",net_dev_name="ens1f0np0",node_guid="b8:ce:f6:03:00:a1:4c:30",node_name="node-1",sys_image_guid="b8:ce:f6:03:00:a1:4c:30"} 17
rdma_out_of_buffer_total{ifname="mlx5_3",is_root="false",net_dev_name="net1",node_guid="00:00:00:00:00:00:00:00",node_name="node-1",pod_name="trainer-0",pod_namespace="ai",rdma_parent_name="mlx5_0",sys_image_guid="b8:ce:f6:03:00:a1:4c:30"} 4
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(expected), "rdma_out_of_buffer_total"); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg, "rdma_rx_pause_total"); err != nil || n != 3 {
		t.Errorf("rdma_rx_pause_total: %d series (%v), want the total and priorities 0 and 3", n, err)
	}
}

// TestCollectorCaches: scrapes within the interval reuse the last scan; a
// failed scan is reported and what it read is served.
func TestCollectorCaches(t *testing.T) {
	now := time.Unix(1000, 0)
	var calls int
	var reported []error
	c := &rdmametrics.Collector{Scan: fixtureScan(&calls, errors.New("netns /var/run/netns/cni-1: timeout")),
		Interval: 30 * time.Second, Now: func() time.Time { return now }, OnError: func(err error) { reported = append(reported, err) }}
	reg := registry(t, c)
	for _, step := range []time.Duration{0, 10 * time.Second, 19 * time.Second, time.Second} {
		now = now.Add(step)
		if n, err := testutil.GatherAndCount(reg, "rdma_np_cnp_sent_total"); err != nil || n != 2 {
			t.Fatalf("rdma_np_cnp_sent_total: %d series (%v), want 2", n, err)
		}
	}
	if calls != 2 || len(reported) != 2 {
		t.Errorf("%d scans, %d errors reported over 30s of scrapes; want 2 scans (interval 30s), each error reported", calls, len(reported))
	}
}
