// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package migrate

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ctl"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/test/fixtures"
)

// TestAdoptDriftedCount: Spiderpool before v1.0 only ever incremented
// allocatedIPCount, so an old pool may claim to be full (41 of 41) while it
// holds 3 records. Our agents go by the records: a new pod gets the lowest
// free address, and the count written is the record count.
func TestAdoptDriftedCount(t *testing.T) {
	cl := newCluster(t, func(st *fixtures.State) {
		_ = unstructured.SetNestedField(fixtures.Find(st.Pools, "", "fx-v4-b").Object, int64(41), "status", "allocatedIPCount")
	})
	code, rep := cl.checkReport("migrate", "check")
	wantNotesOnly(t, code, rep, ctl.KindNoHelmRelease, ctl.KindCountDrift)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "fx", Name: "new-b",
		Annotations: map[string]string{spiderpoolv2beta1.AnnoPodIPPool: `{"ipv4":["fx-v4-b"]}`}},
		Spec: corev1.PodSpec{NodeName: "fx-node-1", Containers: []corev1.Container{{Name: "c", Image: "pause"}}}}
	if err := cl.c.Create(t.Context(), pod); err != nil {
		t.Fatal(err)
	}
	res, err := cl.agent("fx-node-1").Allocate(t.Context(), ipam.AllocateRequest{ContainerID: "c-new-b", IfName: "eth0",
		PodNamespace: "fx", PodName: "new-b", PodUID: string(pod.UID)})
	if err != nil {
		t.Fatalf("ADD from a pool whose count drifted: %v", err)
	}
	if nic, _ := res.NIC("eth0"); nic.IPv4 == nil || nic.IPv4.Address.String() != "10.78.0.13/24" {
		t.Errorf("got %+v, want 10.78.0.13/24", nic)
	}
	if n := len(cl.pools()["fx-v4-b"].records); n != 4 { // pools() also checks allocatedIPCount == records
		t.Errorf("fx-v4-b holds %d records, want 4", n)
	}
}
