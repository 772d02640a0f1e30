// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentserver_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/agentserver"
)

// fakeCoordinator answers with conf or err and records the requests.
type fakeCoordinator struct {
	conf *agentapi.CoordinatorConfig
	err  error
	reqs []agentapi.CoordinatorRequest
}

func (f *fakeCoordinator) CoordinatorConfig(_ context.Context, req *agentapi.CoordinatorRequest) (*agentapi.CoordinatorConfig, error) {
	f.reqs = append(f.reqs, *req)
	return f.conf, f.err
}

// startCoordinatorServer serves h and c until the test ends.
func startCoordinatorServer(t *testing.T, h agentapi.Handler, c agentapi.CoordinatorHandler) *agentapi.Client {
	t.Helper()
	return agentapi.NewClient(startServerWith(t, h, func(s *agentserver.Server) { s.HandleCoordinator(c) }))
}

func TestCoordinatorConfigRoundTrip(t *testing.T) {
	want := &agentapi.CoordinatorConfig{
		Mode: "underlay", OverlayPodCIDR: []string{"10.244.0.0/16"}, ServiceCIDR: []string{"10.96.0.0/12"},
		HijackCIDR: []string{"169.254.0.0/16"}, PodMACPrefix: "0a:1b", PodDefaultRouteNIC: "net1",
		TunePodRoutes: true, HostRuleTable: 500, PodRPFilter: -1, TxQueueLen: 1000, VethLinkAddress: "169.254.100.1",
		PolicyRoutes: []agentapi.PolicyRoute{{Dst: "10.9.0.0/16", Gw: "10.6.0.1"}}, VethMTU: 9000,
	}
	fc := &fakeCoordinator{conf: want}
	c := startCoordinatorServer(t, &fakeHandler{}, fc)
	got, err := c.CoordinatorConfig(t.Context(), &agentapi.CoordinatorRequest{PodNamespace: "ns 1", PodName: "p&1"})
	if err != nil {
		t.Fatalf("CoordinatorConfig: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]agentapi.CoordinatorRequest{{PodNamespace: "ns 1", PodName: "p&1"}}, fc.reqs); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestCoordinatorConfigRefusals(t *testing.T) {
	notSynced := agentapi.NewError(agentapi.CodeNotReady, "SpiderCoordinator default is not Synced yet")
	tests := []struct {
		name    string
		agent   *fakeHandler
		coord   *fakeCoordinator
		req     agentapi.CoordinatorRequest
		code    agentapi.Code
		field   string
		reached bool
	}{
		{"agent not ready", &fakeHandler{notReady: errors.New("restoring")}, &fakeCoordinator{}, agentapi.CoordinatorRequest{PodNamespace: "n", PodName: "p"}, agentapi.CodeNotReady, "", false},
		{"no pod name", &fakeHandler{}, &fakeCoordinator{}, agentapi.CoordinatorRequest{PodNamespace: "n"}, agentapi.CodeInvalidRequest, "podName", false},
		{"CR not synced", &fakeHandler{}, &fakeCoordinator{err: notSynced}, agentapi.CoordinatorRequest{PodNamespace: "n", PodName: "p"}, agentapi.CodeNotReady, "", true},
		{"no mode", &fakeHandler{}, &fakeCoordinator{conf: &agentapi.CoordinatorConfig{}}, agentapi.CoordinatorRequest{PodNamespace: "n", PodName: "p"}, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startCoordinatorServer(t, tt.agent, tt.coord)
			_, err := c.CoordinatorConfig(t.Context(), &tt.req)
			var e *agentapi.Error
			switch {
			case tt.code == "":
				if !errors.Is(err, agentapi.ErrBadResponse) {
					t.Errorf("got %v, want ErrBadResponse", err)
				}
			case !errors.As(err, &e) || e.Code != tt.code || e.Field != tt.field:
				t.Errorf("got %v, want code %s field %q", err, tt.code, tt.field)
			}
			if reached := len(tt.coord.reqs) > 0; reached != tt.reached {
				t.Errorf("handler reached: %v, want %v", reached, tt.reached)
			}
		})
	}
}
