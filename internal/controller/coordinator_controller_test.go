// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/controller"
	"github.com/spiderpool-go/spiderpool/internal/coordinatorstatus"
)

// TestCoordinatorReconcilerStatus: the status is Synced with the detected
// CIDRs, written once; a podCIDRType the cluster cannot answer gives
// NotReady with the reason and one ClusterNotReady event.
func TestCoordinatorReconcilerStatus(t *testing.T) {
	name := poolName(t)
	cr := &spiderpoolv2beta1.SpiderCoordinator{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.CoordinatorSpec{PodCIDRType: ptr.To("none")}}
	if err := apiServer.client.Create(t.Context(), cr); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = apiServer.client.Delete(t.Context(), cr) })
	events := record.NewFakeRecorder(10)
	r := &controller.CoordinatorReconciler{Client: apiServer.client, Name: name, Recorder: events,
		Detector: &coordinatorstatus.Detector{Reader: apiServer.client, CiliumConfigMap: "kube-system/cilium-config"}}
	req := reconcile.Request{NamespacedName: types.NamespacedName{Name: name}}
	get := func() *spiderpoolv2beta1.SpiderCoordinator {
		t.Helper()
		if _, err := r.Reconcile(t.Context(), req); err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		got := &spiderpoolv2beta1.SpiderCoordinator{}
		if err := apiServer.client.Get(t.Context(), req.NamespacedName, got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	first := get()
	if st := first.Status; st.Phase != "Synced" || len(st.ServiceCIDR) == 0 || len(st.OverlayPodCIDR) != 0 {
		t.Fatalf("status %+v, want Synced with the API server's service CIDR and no pod CIDR", st)
	}
	if again := get(); again.ResourceVersion != first.ResourceVersion {
		t.Errorf("an unchanged status was written again (resourceVersion %s -> %s)", first.ResourceVersion, again.ResourceVersion)
	}

	first.Spec.PodCIDRType = ptr.To("cilium")
	if err := apiServer.client.Update(t.Context(), first); err != nil {
		t.Fatal(err)
	}
	if st := get().Status; st.Phase != "NotReady" || !strings.Contains(st.Reason, "cilium-config") {
		t.Errorf("status %+v, want NotReady naming cilium-config", st)
	}
	get()
	if n := len(events.Events); n != 1 {
		t.Errorf("%d events, want one ClusterNotReady", n)
	} else if e := <-events.Events; !strings.Contains(e, "ClusterNotReady") {
		t.Errorf("event %q, want ClusterNotReady", e)
	}
}
