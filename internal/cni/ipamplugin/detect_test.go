// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/detect"
	"github.com/spiderpool-go/spiderpool/internal/cni/ipamplugin"
)

// fakeDetector records the checks and announcements and returns err.
type fakeDetector struct {
	err       error
	checks    [][]detect.Target
	announced [][]netip.Addr
}

func (f *fakeDetector) Check(_, _ string, targets []detect.Target) error {
	f.checks = append(f.checks, targets)
	return f.err
}

func (f *fakeDetector) Announce(_, _ string, addrs []netip.Addr) error {
	f.announced = append(f.announced, addrs)
	return errors.New("announcements are only logged")
}

func withSwitches(resp *agentapi.AddResponse, gateway, conflict bool) *agentapi.AddResponse {
	for i := range resp.IPs {
		resp.IPs[i].EnableGatewayDetection, resp.IPs[i].EnableIPConflictDetection = gateway, conflict
	}
	return resp
}

// TestAddDetectionTargets: only this interface's addresses are checked,
// with the agent's switches and the pool gateway; then announced.
func TestAddDetectionTargets(t *testing.T) {
	tp := newTestPlugin(t)
	d := &fakeDetector{}
	tp.Detector = d
	tp.client.addResp = withSwitches(dualStackResponse(), true, false)
	if err := tp.Add(cmdArgs(netConf(t, "1.0.0", nil))); err != nil {
		t.Fatalf("Add: %v (a failed announcement must not fail it)", err)
	}
	want := []detect.Target{
		{IP: netip.MustParseAddr("10.6.0.10"), Gateway: netip.MustParseAddr("10.6.0.1"), GatewayCheck: true},
		{IP: netip.MustParseAddr("fd00:6::10"), Gateway: netip.MustParseAddr("fd00:6::1"), GatewayCheck: true},
	}
	if diff := cmp.Diff([][]detect.Target{want}, d.checks, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if len(d.announced) != 1 || len(d.announced[0]) != 2 {
		t.Errorf("announced %v, want eth0's two addresses once", d.announced)
	}
}

// TestAddDetectionFindings: a conflict or an unreachable gateway releases
// the pod's addresses with the finding and fails the ADD with
// Spiderpool's message; a failed probe fails it without a release.
func TestAddDetectionFindings(t *testing.T) {
	mac, _ := net.ParseMAC("02:00:00:00:00:09")
	cases := []struct {
		name        string
		err         error
		releaseErr  error
		wantCode    uint
		wantMsg     string
		wantRelease *agentapi.Detection
		wantDetails string
	}{
		{name: "conflict", err: &detect.ConflictError{IfName: "eth0", IP: netip.MustParseAddr("10.6.0.10"), MAC: mac},
			wantCode: types.ErrTryAgainLater, wantMsg: "pod's interface eth0 with an conflicting ip 10.6.0.10, 10.6.0.10 is located at 02:00:00:00:00:09",
			wantRelease: &agentapi.Detection{IfName: "eth0", ConflictIP: "10.6.0.10", ConflictMAC: "02:00:00:00:00:09", IPPool: "v4"}, wantDetails: "released"},
		{name: "gateway", err: &detect.GatewayError{Gateway: netip.MustParseAddr("10.6.0.1")},
			wantCode: types.ErrTryAgainLater, wantMsg: "gateway 10.6.0.1 is unreachable",
			wantRelease: &agentapi.Detection{IfName: "eth0", UnreachableGateway: "10.6.0.1", IPPool: "v4"}, wantDetails: "released"},
		{name: "release refused", err: &detect.GatewayError{Gateway: netip.MustParseAddr("10.6.0.1")},
			releaseErr: agentapi.NewError(agentapi.CodeStatelessReleaseForbidden, "forbid releasing IPs for stateless workload"),
			wantCode:   types.ErrTryAgainLater, wantMsg: "gateway 10.6.0.1 is unreachable",
			wantRelease: &agentapi.Detection{IfName: "eth0", UnreachableGateway: "10.6.0.1", IPPool: "v4"}, wantDetails: "kept the pod's addresses"},
		{name: "probe failed", err: errors.New("open an ARP socket on eth0: operation not permitted"),
			wantCode: types.ErrInternal, wantMsg: "operation not permitted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tp := newTestPlugin(t)
			d := &fakeDetector{err: tc.err}
			tp.Detector = d
			tp.client.addResp = withSwitches(dualStackResponse(), true, true)
			c := &releaseErrClient{fakeClient: tp.client, err: tc.releaseErr}
			tp.NewClient = func(string) ipamplugin.Client { return c }
			e := wantCode(t, tp.Add(cmdArgs(netConf(t, "1.0.0", nil))), tc.wantCode)
			if !strings.Contains(e.Msg, tc.wantMsg) || !strings.Contains(e.Details, tc.wantDetails) {
				t.Errorf("error %q (%q), want %q (%q)", e.Msg, e.Details, tc.wantMsg, tc.wantDetails)
			}
			if len(d.announced) != 0 {
				t.Errorf("announced %v after a failed check", d.announced)
			}
			var got *agentapi.BatchDelRequest
			for _, r := range tp.client.requests {
				if b, ok := r.(*agentapi.BatchDelRequest); ok {
					got = b
				}
			}
			if tc.wantRelease == nil {
				if got != nil {
					t.Errorf("batch release %+v, want none", got)
				}
				return
			}
			if got == nil || !got.IsReleaseConflictIPs || got.PodUID != "uid-1" || !cmp.Equal(got.Detection, tc.wantRelease) {
				t.Errorf("batch release %+v, want one for uid-1 with isReleaseConflictIPs and %+v", got, tc.wantRelease)
			}
		})
	}
}

// releaseErrClient fails the batch release with err.
type releaseErrClient struct {
	*fakeClient
	err error
}

func (c *releaseErrClient) ReleaseAll(ctx context.Context, req *agentapi.BatchDelRequest) error {
	_ = c.fakeClient.ReleaseAll(ctx, req)
	return c.err
}
