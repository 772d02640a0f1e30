// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics_test

import (
	"context"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/rdmametrics"
)

// requireRDMA skips the test unless the node has RDMA devices.
func requireRDMA(t *testing.T) {
	t.Helper()
	devs, err := rdmametrics.ReadDevices()
	switch {
	case err != nil && rdmametrics.Unsupported(err):
		t.Skipf("no RDMA netlink family on this machine (ib_core not loaded): %v", err)
	case err != nil:
		t.Fatalf("ReadDevices: %v", err)
	case len(devs) == 0:
		t.Skip("no RDMA device on this machine: netlink lists none")
	}
}

// TestScanReal reads this machine's RDMA devices, when it has some: every
// device has a name and counters, and samples come out under rdma_.
func TestScanReal(t *testing.T) {
	requireRDMA(t)
	s := &rdmametrics.Scanner{Node: "this-node"}
	samples, err := s.Scan(context.Background())
	if err != nil {
		t.Logf("scan reported (some namespaces unread): %v", err)
	}
	if len(samples) == 0 {
		t.Fatal("RDMA devices listed but no sample read")
	}
	for _, smp := range samples {
		if smp.Labels["ifname"] == "" || smp.Labels["node_name"] != "this-node" {
			t.Errorf("sample %s has labels %v", smp.Name, smp.Labels)
		}
	}
}
