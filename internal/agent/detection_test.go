// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// TestReleaseAllCarriesTheConflict: the address the plugin found in
// conflict reaches the IPAM service, which keeps it from the pod; an
// unreachable gateway quarantines nothing.
func TestReleaseAllCarriesTheConflict(t *testing.T) {
	for _, tc := range []struct {
		name string
		det  *agentapi.Detection
		want []netip.Addr
	}{
		{name: "conflict", det: &agentapi.Detection{IfName: "eth0", ConflictIP: "10.6.0.10", ConflictMAC: "02:00:00:00:00:01"},
			want: []netip.Addr{netip.MustParseAddr("10.6.0.10")}},
		{name: "gateway", det: &agentapi.Detection{IfName: "eth0", UnreachableGateway: "10.6.0.1"}},
		{name: "older plugin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeIPAM{}
			h := newHandler(f, "n1", detection{})
			h.releaseConflictIPs = true
			req := &agentapi.BatchDelRequest{ContainerID: "c1", PodNamespace: "ns", PodName: "p", PodUID: "u1", IsReleaseConflictIPs: true, Detection: tc.det}
			if err := h.ReleaseAll(t.Context(), req); err != nil {
				t.Fatal(err)
			}
			if len(f.releasedAll) != 1 || !slices.Equal(f.releasedAll[0].ConflictIPs, tc.want) {
				t.Errorf("IPAM requests %+v, want ConflictIPs %v", f.releasedAll, tc.want)
			}
		})
	}
}
