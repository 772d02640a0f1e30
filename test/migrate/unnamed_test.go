// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package migrate

import (
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ctl"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/test/fixtures"
)

// TestAdoptUnnamedNIC switches while mnic-2 (an ippools annotation without
// interface names) is between its eth0 and net1 ADDs: Spiderpool recorded
// both NICs at the eth0 ADD, the second as interface "". Our agent's net1
// ADD answers that entry's address and names it net1, as Spiderpool's
// would; nothing else changes. The pod's deletion then frees its three
// records.
func TestAdoptUnnamedNIC(t *testing.T) {
	cl := newCluster(t, func(st *fixtures.State) {
		for i, ep := range st.Endpoints {
			if ep.GetName() == "mnic-2" {
				st.Endpoints[i] = fixtures.Find(st.Transient, "fx", "mnic-2")
			}
		}
	})
	code, rep := cl.checkReport("migrate", "check")
	wantNotesOnly(t, code, rep, ctl.KindNoHelmRelease, ctl.KindUnnamedNIC)
	if len(rep.Findings) != 2 {
		t.Errorf("findings %+v, want the unnamed NIC of mnic-2 and no Helm release", rep.Findings)
	}
	var p recorded
	for _, r := range recordedPods(t, cl.state) {
		if r.name == "mnic-2" {
			p = r
		}
	}
	before := cl.pools()
	pod := cl.pod("mnic-2")
	res, err := cl.agent(p.node).Allocate(t.Context(), ipam.AllocateRequest{ContainerID: p.container, IfName: "net1",
		PodNamespace: "fx", PodName: "mnic-2", PodUID: string(pod.UID)})
	if err != nil {
		t.Fatalf("ADD net1: %v", err)
	}
	got, ok := res.NIC("net1")
	if !ok {
		t.Fatalf("ADD net1: no net1 in %+v", res.NICs)
	}
	want := p.nics[1] // the final state's entry, named net1
	compareNIC(t, "mnic-2", want, p.results["net1"], got)
	after := cl.pools()
	sameRecords(t, "after the net1 ADD", before, after, nil)
	for name, b := range before {
		if after[name].rv != b.rv {
			t.Errorf("pool %s rewritten by the net1 ADD", name)
		}
	}
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	if err := cl.c.Get(t.Context(), client.ObjectKey{Namespace: "fx", Name: "mnic-2"}, ep); err != nil {
		t.Fatal(err)
	}
	if nics := ep.Status.Current.IPs; len(nics) != 2 || nics[0].NIC != "eth0" || nics[1].NIC != "net1" {
		t.Errorf("endpoint entries after the net1 ADD: %+v, want eth0 and net1", nics)
	}
	if code, rep := cl.checkReport("migrate", "check"); code != ctl.ExitOK || len(rep.Findings) != 1 {
		t.Errorf("after the net1 ADD: exit %d, findings %+v", code, rep.Findings)
	}
	cl.deletePod(t, p)
	gone := cl.pools()
	sameRecords(t, "after the DEL of mnic-2", before, gone, p.addresses())
	for pool, b := range before {
		if n := len(gone[pool].records); n != len(b.records)-len(p.addresses()[pool]) {
			t.Errorf("pool %s: %d records after the DEL of mnic-2, had %d", pool, n, len(b.records))
		}
	}
}
