// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/rdmametrics"
)

// find returns the value of the sample named name whose labels include
// want, and whether it exists; it fails on several matches.
func find(t *testing.T, samples []rdmametrics.Sample, name string, want map[string]string) (rdmametrics.Sample, bool) {
	t.Helper()
	var got []rdmametrics.Sample
	for _, s := range samples {
		if s.Name != name {
			continue
		}
		match := true
		for k, v := range want {
			if l, ok := s.Labels[k]; !ok && v != "" || l != v {
				match = false
			}
		}
		if match {
			got = append(got, s)
		}
	}
	if len(got) > 1 {
		t.Fatalf("%s%v matches %d samples: %v", name, want, len(got), got)
	}
	if len(got) == 0 {
		return rdmametrics.Sample{}, false
	}
	return got[0], true
}

// TestSamplesHost: the host PF's hardware counters, ethtool pause, discard
// and vport counters, speed and ToS with Spiderpool's names and labels.
func TestSamplesHost(t *testing.T) {
	samples := rdmametrics.Samples("node-1", rdmametrics.Snapshot{IsRoot: true, Devices: []rdmametrics.Device{hostMlx5()}})
	base := map[string]string{"node_name": "node-1", "ifname": "mlx5_0", "net_dev_name": "ens1f0np0",
		"node_guid": "b8:ce:f6:03:00:a1:4c:30", "sys_image_guid": "b8:ce:f6:03:00:a1:4c:30", "is_root": "true"}
	s, ok := find(t, samples, "rdma_out_of_buffer_total", nil)
	if !ok || s.Value != 17 || !cmp.Equal(s.Labels, base) {
		t.Errorf("rdma_out_of_buffer_total = %v %v, want 17 %v", s.Value, s.Labels, base)
	}
	for name, want := range map[string]float64{
		"rdma_np_cnp_sent_total": 4980, "rdma_rp_cnp_handled_total": 4417, "rdma_np_ecn_marked_roce_packets_total": 5120,
		"rdma_rx_vport_rdma_unicast_bytes_total": 9018327040, "rdma_tx_vport_rdma_unicast_packets_total": 2199201,
		"rdma_rx_discards_total": 12, "rdma_tx_discards_total": 0, "rdma_rx_pause_total": 340, "rdma_tx_pause_total": 25,
		"rdma_vport_speed_mbps_total": 100000,
	} {
		s, ok := find(t, samples, name, map[string]string{"priority": ""})
		if !ok || s.Value != want {
			t.Errorf("%s = %v (found %v), want %v", name, s.Value, ok, want)
		}
	}
	for _, c := range []struct {
		name, prio string
		want       float64
	}{{"rdma_rx_pause_total", "3", 340}, {"rdma_rx_pause_total", "0", 0}, {"rdma_tx_pause_total", "3", 25}, {"rdma_rx_discards_total", "3", 12}} {
		s, ok := find(t, samples, c.name, map[string]string{"priority": c.prio})
		if !ok || s.Value != c.want || s.Labels["ifname"] != "mlx5_0" {
			t.Errorf("%s{priority=%s} = %v (found %v), want %v", c.name, c.prio, s.Value, ok, c.want)
		}
	}
	tos, ok := find(t, samples, "rdma_device_tos_total", nil)
	wantTOS := map[string]string{"node_name": "node-1", "ifname": "mlx5_0", "net_dev_name": "ens1f0np0"}
	if !ok || tos.Value != 106 || !cmp.Equal(tos.Labels, wantTOS) {
		t.Errorf("rdma_device_tos_total = %v %v, want 106 %v", tos.Value, tos.Labels, wantTOS)
	}
	for _, name := range []string{"rdma_rx_packets_total", "rdma_rx_prio3_pause_duration_total", "rdma_rx_bytes_total"} {
		if _, ok := find(t, samples, name, nil); ok {
			t.Errorf("%s exported; only the pause, discard and vport ethtool statistics are", name)
		}
	}
	if n := len(samples); n != 29+8+4+4+2 {
		t.Errorf("%d samples, want 29 counters + 8 vport + 4 totals + 4 per priority + speed and ToS", n)
	}
}

// TestSamplesPod: a VF in a pod netns names its parent and its pod and is
// not root; a device reports what it has and no more.
func TestSamplesPod(t *testing.T) {
	snap := rdmametrics.Snapshot{Pod: &rdmametrics.Pod{Namespace: "ai", Name: "trainer-0"}, Devices: []rdmametrics.Device{podVF()}}
	samples := rdmametrics.Samples("node-1", snap)
	want := map[string]string{"node_name": "node-1", "ifname": "mlx5_3", "net_dev_name": "net1", "node_guid": "00:00:00:00:00:00:00:00",
		"sys_image_guid": "b8:ce:f6:03:00:a1:4c:30", "is_root": "false", "rdma_parent_name": "mlx5_0",
		"pod_namespace": "ai", "pod_name": "trainer-0"}
	var names []string
	for _, s := range samples {
		names = append(names, s.Name)
		if !cmp.Equal(s.Labels, want) {
			t.Errorf("%s labels (-want +got):\n%s", s.Name, cmp.Diff(want, s.Labels))
		}
	}
	wantNames := []string{"rdma_np_cnp_sent_total", "rdma_out_of_buffer_total", "rdma_rx_vport_rdma_unicast_bytes_total", "rdma_vport_speed_mbps_total"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

// TestSamplesSumPorts: a two-port device yields one series per counter.
func TestSamplesSumPorts(t *testing.T) {
	d := rdmametrics.Device{Name: "mlx4_0", Ports: []rdmametrics.Port{
		{Index: 1, Counters: map[string]uint64{"out_of_buffer": 2}}, {Index: 2, Counters: map[string]uint64{"out_of_buffer": 5}}}}
	samples := rdmametrics.Samples("n", rdmametrics.Snapshot{IsRoot: true, Devices: []rdmametrics.Device{d}})
	if len(samples) != 1 || samples[0].Value != 7 {
		t.Errorf("samples = %v, want one out_of_buffer of 7", samples)
	}
}

// TestSnakeCase: unknown counters of other drivers get snake-case names.
func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"out_of_buffer": "out_of_buffer", "ip4InReceives": "ip4_in_receives", "RxECNMrkd": "rx_ecn_mrkd",
		"txRoCEv2Pkts": "tx_ro_c_ev2_pkts", "cnp-sent": "cnp_sent", "lifespan": "lifespan",
	} {
		if got := rdmametrics.SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
	if got := rdmametrics.MetricName("VFTxBytes"); got != "rdma_vf_tx_bytes_total" {
		t.Errorf("MetricName(VFTxBytes) = %q", got)
	}
}
