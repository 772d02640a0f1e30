// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/internal/quarantine"
)

type fakeQuarantine struct{ added []string }

func (f *fakeQuarantine) Add(_ context.Context, pool string, ip netip.Addr, rec quarantine.Record) error {
	f.added = append(f.added, pool+"/"+ip.String()+"/"+rec.MAC+"/"+rec.Pod+"/"+rec.Node)
	return nil
}

type fakeCounter struct{ conflicts, gateways []string }

func (f *fakeCounter) CountConflict(pool string)           { f.conflicts = append(f.conflicts, pool) }
func (f *fakeCounter) CountUnreachableGateway(pool string) { f.gateways = append(f.gateways, pool) }

// TestFindings: a conflict is quarantined in its pool, counted and told in
// a Warning event naming the address and the MAC, even when the release
// itself is refused; an unreachable gateway is counted and told.
func TestFindings(t *testing.T) {
	q, c := &fakeQuarantine{}, &fakeCounter{}
	events := ipamtest.NewClient(interceptor.Funcs{})
	h := newHandler(&fakeIPAM{}, "n1", detection{})
	h.findings = &findings{store: q, counter: c, events: events, node: "n1", now: time.Now}
	base := agentapi.BatchDelRequest{ContainerID: "c1", PodNamespace: "ns", PodName: "p", PodUID: "u1", IsReleaseConflictIPs: true}

	conflict := base
	conflict.Detection = &agentapi.Detection{IfName: "eth0", ConflictIP: "10.6.0.10", ConflictMAC: "02:00:00:00:00:09", IPPool: "a"}
	if err := h.ReleaseAll(t.Context(), &conflict); !agentapi.HasCode(err, agentapi.CodeStatelessReleaseForbidden) {
		t.Fatalf("ReleaseAll with the switch off: %v, want 521", err)
	}
	gw := base
	gw.Detection = &agentapi.Detection{IfName: "eth0", UnreachableGateway: "10.6.0.1", IPPool: "a"}
	h.releaseConflictIPs = true
	if err := h.ReleaseAll(t.Context(), &gw); err != nil {
		t.Fatal(err)
	}

	if len(q.added) != 1 || q.added[0] != "a/10.6.0.10/02:00:00:00:00:09/ns/p/n1" {
		t.Errorf("quarantined %v, want a/10.6.0.10 with the MAC, pod and node", q.added)
	}
	if strings.Join(c.conflicts, ",") != "a" || strings.Join(c.gateways, ",") != "a" {
		t.Errorf("counted conflicts %v, gateways %v; want one each for pool a", c.conflicts, c.gateways)
	}
	var list corev1.EventList
	if err := events.List(t.Context(), &list, client.InNamespace("ns")); err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, e := range list.Items {
		if e.Type != corev1.EventTypeWarning || e.InvolvedObject.Name != "p" || e.InvolvedObject.UID != "u1" {
			t.Errorf("event %+v, want a Warning on pod p", e)
		}
		reasons[e.Reason] = e.Message
	}
	if m := reasons[ReasonIPConflict]; !strings.Contains(m, "10.6.0.10") || !strings.Contains(m, "02:00:00:00:00:09") {
		t.Errorf("IPConflict event %q, want the address and the MAC", m)
	}
	if m := reasons[ReasonGatewayUnreachable]; !strings.Contains(m, "10.6.0.1") {
		t.Errorf("GatewayUnreachable event %q, want the gateway", m)
	}
}
