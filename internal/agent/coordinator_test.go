// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/agentserver"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
)

// serveCoordinator serves the coordinator endpoint over a real socket with
// objs in the reader, as the agent does, and returns a client.
func serveCoordinator(t *testing.T, objs ...client.Object) *agentapi.Client {
	t.Helper()
	scheme, err := newScheme()
	if err != nil {
		t.Fatal(err)
	}
	reader := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).Build()
	h := newHandler(&fakeIPAM{}, "node1", detection{})
	h.setReady()
	srv := agentserver.New(h)
	srv.HandleCoordinator(coordinatorSource{reader: reader})
	sock := filepath.Join(t.TempDir(), "spiderpool.sock")
	l, err := agentapi.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return agentapi.NewClient(sock)
}

func coordinator(name, phase string) *spiderpoolv2beta1.SpiderCoordinator {
	return &spiderpoolv2beta1.SpiderCoordinator{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.CoordinatorSpec{
			Mode: ptr.To("underlay"), PodCIDRType: ptr.To("cluster"), HijackCIDR: []string{"169.254.0.0/16"},
			PodMACPrefix: ptr.To("0a:1b"), TunePodRoutes: ptr.To(true), PodDefaultRouteNIC: ptr.To("eth0"),
			HostRuleTable: ptr.To(500), PodRPFilter: ptr.To(0), TxQueueLen: ptr.To(0), VethLinkAddress: ptr.To(""),
			PolicyRoutes: []spiderpoolv2beta1.Route{{Dst: "10.9.0.0/16", Gw: "10.6.0.1"}}, VethMTU: ptr.To(9000),
		},
		Status: spiderpoolv2beta1.CoordinatorStatus{Phase: phase, OverlayPodCIDR: []string{"10.244.0.0/16"}, ServiceCIDR: []string{"10.96.0.0/12"}},
	}
}

func podWith(annotations map[string]string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", Annotations: annotations}}
}

func TestCoordinatorConfigFromCache(t *testing.T) {
	want := &agentapi.CoordinatorConfig{
		Mode: "underlay", OverlayPodCIDR: []string{"10.244.0.0/16"}, ServiceCIDR: []string{"10.96.0.0/12"},
		HijackCIDR: []string{"169.254.0.0/16"}, PodMACPrefix: "0a:1b", PodDefaultRouteNIC: "eth0", TunePodRoutes: true,
		HostRuleTable: 500, PolicyRoutes: []agentapi.PolicyRoute{{Dst: "10.9.0.0/16", Gw: "10.6.0.1"}}, VethMTU: 9000,
	}
	other := coordinator("another", "NotReady")
	c := serveCoordinator(t, coordinator("default", "Synced"), other, podWith(nil))
	got, err := c.CoordinatorConfig(t.Context(), &agentapi.CoordinatorRequest{PodNamespace: "ns", PodName: "p"})
	if err != nil {
		t.Fatalf("CoordinatorConfig: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestCoordinatorConfigPodAnnotation(t *testing.T) {
	pod := podWith(map[string]string{annotation.KeyDefaultRouteNIC: "net1"})
	c := serveCoordinator(t, coordinator("default", "Synced"), pod)
	got, err := c.CoordinatorConfig(t.Context(), &agentapi.CoordinatorRequest{PodNamespace: "ns", PodName: "p"})
	if err != nil || got.PodDefaultRouteNIC != "net1" {
		t.Fatalf("got %+v, %v; want podDefaultRouteNIC net1 from the annotation", got, err)
	}
	// A pod already gone (DEL after a force delete) gets the CR's value.
	got, err = c.CoordinatorConfig(t.Context(), &agentapi.CoordinatorRequest{PodNamespace: "ns", PodName: "gone"})
	if err != nil || got.PodDefaultRouteNIC != "eth0" {
		t.Fatalf("got %+v, %v; want the coordinator's eth0", got, err)
	}
}

func TestCoordinatorConfigRefusals(t *testing.T) {
	tests := []struct {
		name string
		objs []client.Object
		code agentapi.Code
		text string
	}{
		{"not synced", []client.Object{coordinator("default", "NotReady")}, agentapi.CodeNotReady, `SpiderCoordinator "default" is not Synced`},
		{"no status", []client.Object{coordinator("mine", "")}, agentapi.CodeNotReady, `SpiderCoordinator "mine"`},
		{"none", nil, agentapi.CodeNotFound, "no SpiderCoordinator exists"},
		{"bad annotation", []client.Object{coordinator("default", "Synced"), podWith(map[string]string{annotation.KeyDefaultRouteNIC: "a/b"})},
			agentapi.CodeInvalidRequest, annotation.KeyDefaultRouteNIC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serveCoordinator(t, tt.objs...)
			_, err := c.CoordinatorConfig(t.Context(), &agentapi.CoordinatorRequest{PodNamespace: "ns", PodName: "p"})
			var e *agentapi.Error
			if !errors.As(err, &e) || e.Code != tt.code || !strings.Contains(e.Message, tt.text) {
				t.Errorf("got %v, want %s mentioning %q", err, tt.code, tt.text)
			}
		})
	}
}
