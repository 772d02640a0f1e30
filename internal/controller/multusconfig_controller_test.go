// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	nadv1 "github.com/spiderpool-go/spiderpool/api/k8scni/v1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/controller"
)

// The cases below need states the webhooks keep out of the API server (an
// invalid SpiderMultusConfig) or that envtest cannot hold for long (a NAD
// being deleted); the lifecycle itself is tested in internal/webhook with
// the real API server and webhooks, and in the lab.

func nadReconciler(t *testing.T, objs ...client.Object) (*controller.MultusConfigReconciler, *record.FakeRecorder) {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), spiderpoolv2beta1.AddToScheme(scheme), nadv1.AddToScheme(scheme)); err != nil {
		t.Fatal(err)
	}
	rec := record.NewFakeRecorder(10)
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).Build()
	return &controller.MultusConfigReconciler{Client: c, Recorder: rec, Retry: time.Minute}, rec
}

func TestMultusConfigInvalidGetsEvent(t *testing.T) {
	smc := &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Name: "bad", Namespace: "ns", UID: "u1"},
		Spec: spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To(spiderpoolv2beta1.CNITypeMacvlan)}}
	r, rec := nadReconciler(t, smc)
	res, err := r.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(smc)})
	if err != nil || !res.IsZero() {
		t.Fatalf("Reconcile = %+v, %v; want done", res, err)
	}
	select {
	case e := <-rec.Events:
		if !strings.Contains(e, "Warning "+controller.ReasonInvalidMultusConfig) || !strings.Contains(e, "spec.macvlan") {
			t.Errorf("event %q", e)
		}
	default:
		t.Error("no event")
	}
	if err := r.Client.Get(t.Context(), client.ObjectKeyFromObject(smc), &nadv1.NetworkAttachmentDefinition{}); err == nil {
		t.Error("a NAD was written for an invalid SpiderMultusConfig")
	}
}

func TestMultusConfigWaitsForDeletedNAD(t *testing.T) {
	smc := &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Name: "net", Namespace: "ns", UID: "u1"},
		Spec: spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To(spiderpoolv2beta1.CNITypeMacvlan),
			Macvlan: &spiderpoolv2beta1.MacvlanConfig{Master: []string{"eth1"}}}}
	nad := &nadv1.NetworkAttachmentDefinition{ObjectMeta: metav1.ObjectMeta{Name: "net", Namespace: "ns", Finalizers: []string{"example.com/hold"}},
		Spec: nadv1.NetworkAttachmentDefinitionSpec{Config: "old"}}
	r, _ := nadReconciler(t, smc, nad)
	if err := r.Client.Delete(t.Context(), nad); err != nil {
		t.Fatal(err)
	}
	res, err := r.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(smc)})
	if err != nil || res.RequeueAfter != time.Minute {
		t.Fatalf("Reconcile = %+v, %v; want a retry after a minute", res, err)
	}
	if err := r.Client.Get(t.Context(), client.ObjectKeyFromObject(nad), nad); err != nil || nad.Spec.Config != "old" {
		t.Errorf("the NAD being deleted was changed: %v %q", err, nad.Spec.Config)
	}
}
