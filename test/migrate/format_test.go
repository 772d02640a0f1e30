// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package migrate

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/test/fixtures"
)

// TestWrittenFormat: what our agents write for a new pod is what a
// Spiderpool agent writes, so that a rollback's agents read it: the
// endpoint of a bare dual-stack pod (like solo-0) and of a two-NIC pod
// whose ippools annotation names no interfaces (like mnic-2, whose final
// state Spiderpool reaches after its second ADD and ours at the first),
// field for field but the pod's own values; the pool records as
// {"pod","podUid"} only.
func TestWrittenFormat(t *testing.T) {
	cl := newCluster(t, nil)
	for _, tc := range []struct{ like, name, v4, v6, v4b string }{
		{like: "solo-0", name: "new-solo", v4: "10.77.0.16", v6: "fd00:77::16"},
		{like: "mnic-2", name: "new-mnic", v4: "10.77.0.21", v6: "fd00:77::1b", v4b: "10.78.0.13"},
	} {
		tmpl := fixtures.Find(cl.state.Pods, "fx", tc.like)
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "fx", Name: tc.name, Annotations: tmpl.GetAnnotations()},
			Spec: corev1.PodSpec{NodeName: "fx-node-0", Containers: []corev1.Container{{Name: "c", Image: "pause"}}}}
		if err := cl.c.Create(t.Context(), pod); err != nil {
			t.Fatal(err)
		}
		if _, err := cl.agent("fx-node-0").Allocate(t.Context(), ipam.AllocateRequest{ContainerID: "c-" + tc.name,
			IfName: "eth0", PodNamespace: "fx", PodName: tc.name, PodUID: string(pod.UID)}); err != nil {
			t.Fatal(err)
		}
		want := fixtures.Find(cl.state.Endpoints, "fx", tc.like).DeepCopy()
		status := mustJSON(t, want.Object["status"])
		for old, v := range map[string]string{
			cl.recordedUID(tc.like): string(pod.UID), `"fx-node-` + tc.like[len(tc.like)-1:] + `"`: `"fx-node-0"`,
			`"ownerControllerName":"` + tc.like + `"`: `"ownerControllerName":"` + tc.name + `"`,
		} {
			status = strings.ReplaceAll(status, old, v)
		}
		got := cl.readBack(&unstructured.Unstructured{Object: map[string]any{
			"apiVersion": want.GetAPIVersion(), "kind": want.GetKind(), "metadata": map[string]any{"namespace": "fx", "name": tc.name}}})
		gotStatus := mustJSON(t, got.Object["status"])
		for _, ip := range []string{tc.v4, tc.v6, tc.v4b} {
			if ip != "" && !strings.Contains(gotStatus, `"`+ip+`/`) {
				t.Errorf("%s: %s not allocated: %s", tc.name, ip, gotStatus)
			}
		}
		status = replaceAddresses(status, gotStatus)
		if !reflect.DeepEqual(normalise(t, gotStatus), normalise(t, status)) {
			t.Errorf("%s endpoint status\n%s\nSpiderpool writes (for %s)\n%s", tc.name, gotStatus, tc.like, status)
		}
		refs := got.GetOwnerReferences()
		if len(refs) != 1 || refs[0].Kind != "Pod" || refs[0].Controller != nil || refs[0].BlockOwnerDeletion != nil ||
			!reflect.DeepEqual(got.GetFinalizers(), want.GetFinalizers()) {
			t.Errorf("%s: owner references %+v, finalizers %v", tc.name, refs, got.GetFinalizers())
		}
	}
	for pool, st := range cl.pools() {
		for ip, raw := range st.records {
			var rec map[string]any
			if err := json.Unmarshal(raw, &rec); err != nil || len(rec) != 2 || rec["pod"] == nil || rec["podUid"] == nil {
				t.Errorf("pool %s record %s: %s", pool, ip, raw)
			}
		}
	}
}

func (cl *cluster) recordedUID(pod string) string {
	return string(fixtures.Find(cl.state.Pods, "fx", pod).GetUID())
}

// replaceAddresses puts the addresses of got into want, entry by entry, so
// that only the format is compared.
func replaceAddresses(want, got string) string {
	g, w := map[string]any{}, map[string]any{}
	_ = json.Unmarshal([]byte(got), &g)
	_ = json.Unmarshal([]byte(want), &w)
	gips, _, _ := unstructured.NestedSlice(g, "current", "ips")
	wips, _, _ := unstructured.NestedSlice(w, "current", "ips")
	for i := range wips {
		if i >= len(gips) {
			break
		}
		for _, k := range []string{"ipv4", "ipv6"} {
			if v, ok := gips[i].(map[string]any)[k]; ok {
				if _, had := wips[i].(map[string]any)[k]; had {
					wips[i].(map[string]any)[k] = v
				}
			}
		}
	}
	_ = unstructured.SetNestedSlice(w, wips, "current", "ips")
	data, _ := json.Marshal(w)
	return string(data)
}
