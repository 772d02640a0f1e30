// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/fixtures"
)

// migrateGate holds the fixture's pods unscheduled until their pool
// records and endpoints exist.
const migrateGate = "spiderpool.spidernet.io/migrate-e2e"

// TestMigrateFromSpiderpool loads the state real Spiderpool v1.0.6 agents
// left (test/fixtures; its nodes fx-node-0..2 mapped onto the lab's nodes)
// into the lab, as docs/migration.md leaves a cluster after step 5: our
// agents and controller run, the pods exist and their records and
// endpoints are Spiderpool's. The pods are created held by a scheduling
// gate, so that their UIDs can be written into the records first; once
// released, each pod's sandbox is created by the node simulator (a new
// container ID, as after a node reboot) and gets exactly the addresses
// Spiderpool recorded, on eth0 and on net1 for the two-NIC pods, without a
// pool record being rewritten. spiderpoolctl check and migrate check are
// clean; the deletion of an adopted pod frees exactly its records; a new
// pod gets a free address.
func TestMigrateFromSpiderpool(t *testing.T) {
	ctx := testContext(t, ipamTimeout)
	bin := ctlBinary(t, ctx)
	st, nodes, recorded := migrateState(t, ctx)
	createNamespaceMeta(t, ctx, "fx", nil, nil)
	waitDefaultServiceAccount(t, ctx, "fx")
	createNAD(t, "fx", "macvlan-fx",
		`{"cniVersion":"1.0.0","name":"macvlan-fx","plugins":[{"type":"macvlan","master":"eth1","mode":"bridge","ipam":{"type":"spiderpool"}}]}`)
	t.Cleanup(func() { removeMigrated(t, st) })
	uids, err := st.Apply(ctx, shared.c, fixtures.ApplyOptions{NodeNames: nodes, SkipConfigMap: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, p := range st.Pools {
		recs, _, _ := unstructured.NestedString(p.Object, "status", "allocatedIPs")
		want[p.GetName()] = uids.Rewrite(recs)
	}
	t.Run("migrate check before the pods run", func(t *testing.T) { migrateCheckClean(t, ctx, bin) })
	ungate(t, ctx, st)
	t.Run("every pod runs with its recorded addresses", func(t *testing.T) {
		for _, u := range st.Pods {
			pod := waitPodRunning(t, ctx, "fx", u.GetName())
			assertRecordedIPs(t, recorded[u.GetName()], pod)
		}
		for name, raw := range want {
			if got := poolAllocatedIPs(t, ctx, name); got != raw {
				t.Errorf("pool %s records rewritten:\n%s\nwere\n%s", name, got, raw)
			}
		}
	})
	t.Run("check and migrate check are clean", func(t *testing.T) {
		ctlCheckClean(t, ctx, bin)
		migrateCheckClean(t, ctx, bin)
	})
	t.Run("deleting an adopted pod frees exactly its records", func(t *testing.T) {
		deleteAndWait(t, ctx, "solo-1") // a bare pod: no controller replaces it
		for name, raw := range want {
			wantRecs, gotRecs := decodeRecords(t, raw), decodeRecords(t, poolAllocatedIPs(t, ctx, name))
			for ip, rec := range wantRecs {
				if strings.HasPrefix(rec, `{"pod":"fx/solo-1"`) {
					delete(wantRecs, ip)
				}
			}
			if !mapsEqual(gotRecs, wantRecs) {
				t.Errorf("pool %s after solo-1 went: %v, want %v", name, gotRecs, wantRecs)
			}
		}
	})
	t.Run("a new pod gets the lowest free address, one Spiderpool released", func(t *testing.T) {
		p := barePod("fx", "fresh-0", "", nil, ippoolAnnotation([]string{"fx-v4"}, []string{"fx-v6"}))
		createPods(t, ctx, p)
		got := waitPodRunning(t, ctx, "fx", "fresh-0")
		if claimStorageOn() {
			wantFreeAddresses(t, ctx, got, map[string]string{"fx-v4": "10.77.0.16", "fx-v6": "fd00:77::16"})
			return
		}
		if ips := podIPStrings(got); !slices.Equal(ips, []string{"10.77.0.16", "fd00:77::16"}) {
			t.Errorf("fresh-0 got %v, want 10.77.0.16 and fd00:77::16, released by Spiderpool's DEL of web-3", ips)
		}
	})
}

// migrateState loads the fixture and adapts it to the lab: nodes mapped,
// pods held by a scheduling gate and bound to their mapped node by
// affinity instead of spec.nodeName, the two-NIC pods given net1 through
// a NAD, without their workloads.
func migrateState(t *testing.T, ctx context.Context) (st *fixtures.State, nodes map[string]string, podIPs map[string][]string) {
	st, err := fixtures.LoadSpiderpool106()
	if err != nil {
		t.Fatal(err)
	}
	podIPs = map[string][]string{}
	for _, p := range st.Pods {
		recorded, _, _ := unstructured.NestedSlice(p.Object, "status", "podIPs")
		for _, r := range recorded {
			podIPs[p.GetName()] = append(podIPs[p.GetName()], r.(map[string]any)["ip"].(string))
		}
	}
	var list corev1.NodeList
	if err := shared.c.List(ctx, &list); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(list.Items))
	for _, n := range list.Items {
		names = append(names, n.Name)
	}
	slices.Sort(names)
	nodes = map[string]string{}
	for i, n := range st.Nodes {
		nodes[n.GetName()] = names[i%len(names)]
	}
	st.Namespaces = nil // created by the test, which waits for its ServiceAccount
	for _, p := range st.Pods {
		adaptPod(t, p, nodes)
	}
	// The lab runs kube-controller-manager: a ReplicaSet or StatefulSet
	// created before its pods would make pods of its own, and then delete
	// the fixture's pods as surplus. The envtests (test/migrate) keep the
	// workloads; here the pods are bare (endpoints as Spiderpool wrote them).
	st.Workloads = nil
	for _, p := range st.Pods {
		p.SetOwnerReferences(nil)
	}
	return st, nodes, podIPs
}

func adaptPod(t *testing.T, p *unstructured.Unstructured, nodes map[string]string) {
	t.Helper()
	node, _, _ := unstructured.NestedString(p.Object, "spec", "nodeName")
	unstructured.RemoveNestedField(p.Object, "spec", "nodeName")
	unstructured.RemoveNestedField(p.Object, "status")
	affinity := map[string]any{"nodeAffinity": map[string]any{"requiredDuringSchedulingIgnoredDuringExecution": map[string]any{
		"nodeSelectorTerms": []any{map[string]any{"matchFields": []any{map[string]any{
			"key": "metadata.name", "operator": "In", "values": []any{nodes[node]}}}}}}}}
	err := unstructured.SetNestedField(p.Object, affinity, "spec", "affinity")
	if err == nil {
		err = unstructured.SetNestedSlice(p.Object, []any{map[string]any{"name": migrateGate}}, "spec", "schedulingGates")
	}
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(p.GetName(), "mnic-") {
		ann := p.GetAnnotations()
		ann["k8s.v1.cni.cncf.io/networks"] = "macvlan-fx"
		p.SetAnnotations(ann)
	}
}

// ungate lets the scheduler bind every fixture pod.
func ungate(t *testing.T, ctx context.Context, st *fixtures.State) {
	for _, u := range st.Pods {
		pod := &corev1.Pod{}
		if err := shared.c.Get(ctx, client.ObjectKey{Namespace: "fx", Name: u.GetName()}, pod); err != nil {
			t.Fatal(err)
		}
		pod.Spec.SchedulingGates = nil
		if err := shared.c.Update(ctx, pod); err != nil {
			t.Fatalf("release the scheduling gate of %s: %v", pod.Name, err)
		}
	}
}

// assertRecordedIPs compares the running pod's addresses with those the
// pod had under Spiderpool (its status.podIPs, eth0), and for the two-NIC
// pods net1's with the network status.
func assertRecordedIPs(t *testing.T, want []string, pod *corev1.Pod) {
	t.Helper()
	if got := podIPStrings(pod); !slices.Equal(got, want) {
		t.Errorf("pod %s runs with %v, Spiderpool gave it %v", pod.Name, got, want)
	}
	net1 := map[string]string{"mnic-0": "10.78.0.10", "mnic-1": "10.78.0.12", "mnic-2": "10.78.0.11"}[pod.Name]
	if status := pod.Annotations[spiderpoolv2beta1.AnnoMultusNetworkStatus]; net1 != "" && !strings.Contains(status, `"`+net1+`"`) {
		t.Errorf("pod %s: net1 should have %s; network status %s", pod.Name, net1, status)
	}
}
