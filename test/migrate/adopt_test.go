// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package migrate

import (
	"encoding/json"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/spiderpool-go/spiderpool/internal/ctl"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// TestAdoptSpiderpool106 runs our agents, GC and spiderpoolctl on the state
// real Spiderpool v1.0.6 agents left, in the order of docs/migration.md.
func TestAdoptSpiderpool106(t *testing.T) {
	cl := newCluster(t, nil)
	pods := recordedPods(t, cl.state)
	nics := 0
	for _, p := range pods {
		nics += len(p.nics)
		if p.container == "" || len(p.results) != len(p.nics) {
			t.Fatalf("pod %s: container %q, %d recorded results for %d NICs", p.name, p.container, len(p.results), len(p.nics))
		}
	}
	if len(pods) != 19 || nics != 22 {
		t.Fatalf("fixture: %d pods with %d NICs, want 19 and 22", len(pods), nics)
	}
	t.Run("CRDs keep every field Spiderpool wrote", cl.formatKept)
	t.Run("migrate check before the switch", func(t *testing.T) {
		code, rep := cl.checkReport("migrate", "check")
		t.Logf("migrate check: exit %d, %d pools, %d records, %d endpoints, findings %+v", code, rep.Pools, rep.Records, rep.Endpoints, rep.Findings)
		wantNotesOnly(t, code, rep, ctl.KindNoHelmRelease)
		if rep.Pools != 3 || rep.Records != 41 || rep.Endpoints != 19 {
			t.Errorf("checked %d pools, %d records, %d endpoints; want 3, 41, 19", rep.Pools, rep.Records, rep.Endpoints)
		}
	})
	before, eps := cl.pools(), cl.endpointVersions()
	t.Run("sandbox re-creation keeps every address", func(t *testing.T) {
		for _, p := range pods {
			cl.recreateSandbox(t, p)
		}
		after := cl.pools()
		sameRecords(t, "after re-creation", before, after, nil)
		for name, b := range before {
			if after[name].rv != b.rv || after[name].raw != b.raw {
				t.Errorf("pool %s rewritten by sandbox re-creation (resourceVersion %s -> %s)", name, b.rv, after[name].rv)
			}
		}
		if got := cl.endpointVersions(); !reflect.DeepEqual(got, eps) {
			t.Errorf("endpoints rewritten by sandbox re-creation: %v, were %v", got, eps)
		}
	})
	t.Run("GC frees nothing of a live pod", func(t *testing.T) { cl.gcKeepsLive(t, before) })
	t.Run("new pods never get an adopted address", func(t *testing.T) { cl.fillPools(t, pods) })
	t.Run("DEL of a deleted adopted pod frees exactly its records", func(t *testing.T) { cl.deleteAdopted(t, pods) })
	t.Run("check and migrate check are clean", func(t *testing.T) {
		code, rep := cl.checkReport("check")
		wantNotesOnly(t, code, rep)
		code, rep = cl.checkReport("migrate", "check")
		wantNotesOnly(t, code, rep, ctl.KindNoHelmRelease)
	})
}

// wantNotesOnly checks that a check report is clean: exit 0, no problem,
// and no finding but of the kinds allowed.
func wantNotesOnly(t *testing.T, code int, rep ctl.CheckReport, allowed ...ctl.Kind) {
	t.Helper()
	if code != ctl.ExitOK || rep.Problems != 0 {
		t.Errorf("exit %d, %d problems: %+v", code, rep.Problems, rep.Findings)
	}
	for _, f := range rep.Findings {
		ok := false
		for _, k := range allowed {
			ok = ok || f.Kind == k
		}
		if !ok {
			t.Errorf("unexpected finding %+v", f)
		}
	}
}

// formatKept reads every pool and endpoint back and compares it with the
// fixture (UIDs mapped): our CRDs' schemas prune nothing Spiderpool wrote.
func (cl *cluster) formatKept(t *testing.T) {
	for _, u := range append(append([]*unstructured.Unstructured{}, cl.state.Pools...), cl.state.Endpoints...) {
		got := cl.readBack(u)
		for _, field := range []string{"spec", "status"} {
			want := normalise(t, cl.uids.Rewrite(mustJSON(t, u.Object[field])))
			if have := normalise(t, mustJSON(t, got.Object[field])); !reflect.DeepEqual(have, want) {
				t.Errorf("%s %s %s read back as\n%v\nwritten\n%v", u.GetKind(), u.GetName(), field, have, want)
			}
		}
		labels := u.GetLabels()
		for k, v := range labels {
			labels[k] = cl.uids.Rewrite(v)
		}
		if !reflect.DeepEqual(got.GetFinalizers(), u.GetFinalizers()) || !reflect.DeepEqual(got.GetLabels(), labels) ||
			!reflect.DeepEqual(got.GetAnnotations(), u.GetAnnotations()) {
			t.Errorf("%s %s: finalizers %v labels %v annotations %v, written %v %v %v", u.GetKind(), u.GetName(),
				got.GetFinalizers(), got.GetLabels(), got.GetAnnotations(), u.GetFinalizers(), labels, u.GetAnnotations())
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func normalise(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// recreateSandbox is a kubelet re-creating the sandbox of a live pod: DEL
// of the recorded container ID for each NIC (nothing is released), then ADD
// with a new container ID for each NIC on the pod's node's agent.
func (cl *cluster) recreateSandbox(t *testing.T, p recorded) {
	t.Helper()
	svc, pod := cl.agent(p.node), cl.pod(p.name)
	for _, nic := range p.nics {
		if err := svc.Release(t.Context(), ipam.ReleaseRequest{ContainerID: p.container, IfName: nic.NIC,
			PodNamespace: "fx", PodName: p.name, PodUID: string(pod.UID)}); err != nil {
			t.Errorf("DEL %s %s of the old sandbox: %v", p.name, nic.NIC, err)
		}
	}
	for _, nic := range p.nics {
		res, err := svc.Allocate(t.Context(), ipam.AllocateRequest{ContainerID: "new-" + p.container, IfName: nic.NIC,
			PodNamespace: "fx", PodName: p.name, PodUID: string(pod.UID)})
		if err != nil {
			t.Errorf("ADD %s %s of a new sandbox: %v", p.name, nic.NIC, err)
			continue
		}
		got, ok := res.NIC(nic.NIC)
		if !ok {
			t.Errorf("ADD %s %s: no entry for the interface in %+v", p.name, nic.NIC, res.NICs)
			continue
		}
		compareNIC(t, p.name, nic, p.results[nic.NIC], got)
	}
}
