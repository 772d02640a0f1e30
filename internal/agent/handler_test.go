// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// fakeIPAM answers with canned results and errors.
type fakeIPAM struct {
	result      *ipam.Result
	err         error
	releaseErr  error
	released    []ipam.ReleaseRequest
	releasedAll []ipam.ReleaseAllRequest
}

func (f *fakeIPAM) Allocate(context.Context, ipam.AllocateRequest) (*ipam.Result, error) {
	return f.result, f.err
}

func (f *fakeIPAM) Release(_ context.Context, r ipam.ReleaseRequest) error {
	f.released = append(f.released, r)
	return f.releaseErr
}

func (f *fakeIPAM) ReleaseAll(_ context.Context, r ipam.ReleaseAllRequest) error {
	f.releasedAll = append(f.releasedAll, r)
	return f.err
}

func (f *fakeIPAM) Check(context.Context, string, string, string, string) (*ipam.Result, error) {
	return f.result, f.err
}

func (f *fakeIPAM) GC(context.Context, string, []string) (int, error) { return 0, f.err }

func TestApiErrorCodes(t *testing.T) {
	cases := []struct {
		err  error
		code agentapi.Code
	}{
		{&annotation.Error{Key: "ipam.spidernet.io/ippool", Reason: "bad"}, agentapi.CodeInvalidRequest},
		{fmt.Errorf("pool x: %w", ipam.ErrPoolExhausted), agentapi.CodePoolExhausted},
		{fmt.Errorf("pool x: %w", ipam.ErrPoolNotFound), agentapi.CodeNoPool},
		{ipam.ErrNoPool, agentapi.CodeNoPool},
		{ipam.ErrNotReady, agentapi.CodeNotReady},
		{ipam.ErrNoAllocation, agentapi.CodeNotFound},
		{ipam.ErrPodNotAlive, agentapi.CodeInvalidRequest},
		{fmt.Errorf("release all of pod ns/web-0: %w: pod ns/web-0", ipam.ErrStaticPod), agentapi.CodeStatefulReleaseForbidden},
		{fmt.Errorf("%w: pod ns/p runs on node n2, this agent serves node n1", ipam.ErrWrongNode), agentapi.CodeWrongNode},
	}
	for _, c := range cases {
		if got := apiError(c.err); !agentapi.HasCode(got, c.code) {
			t.Errorf("apiError(%v) = %v; want code %s", c.err, got, c.code)
		}
	}
	plain := errors.New("boom")
	if got := apiError(plain); !errors.Is(got, plain) {
		t.Errorf("an unclassified error must pass through; got %v", got)
	}
}

func TestHandlerNotReadyUntilSet(t *testing.T) {
	h := newHandler(&fakeIPAM{}, "n1", detection{})
	if err := h.Healthy(t.Context()); !agentapi.HasCode(err, agentapi.CodeNotReady) {
		t.Fatalf("new handler Healthy = %v; want NotReady", err)
	}
	h.setReady()
	if err := h.Healthy(t.Context()); err != nil {
		t.Fatalf("ready handler Healthy = %v", err)
	}
}

func TestAllocateConvertsEveryNIC(t *testing.T) {
	res := &ipam.Result{NICs: []ipam.NIC{
		{Interface: "eth0",
			IPv4:   &ipam.IPConfig{Address: netip.MustParsePrefix("10.6.0.10/16"), Pool: "v4", Gateway: netip.MustParseAddr("10.6.0.1")},
			IPv6:   &ipam.IPConfig{Address: netip.MustParsePrefix("fd00::10/64"), Pool: "v6"},
			Routes: []ipam.Route{{Dst: netip.MustParsePrefix("0.0.0.0/0"), GW: netip.MustParseAddr("10.6.0.1")}}},
		{Interface: "net1", IPv4: &ipam.IPConfig{Address: netip.MustParsePrefix("10.7.0.5/24"), Pool: "b"}, CleanGateway: true},
	}}
	h := newHandler(&fakeIPAM{result: res}, "n1", detection{conflict: true})
	got, err := h.Allocate(t.Context(), &agentapi.AddRequest{IfName: "eth0"})
	if err != nil {
		t.Fatal(err)
	}
	want := &agentapi.AddResponse{
		IPs: []agentapi.IPConfig{
			{Version: 4, Address: "10.6.0.10/16", NIC: "eth0", IPPool: "v4", Gateway: "10.6.0.1", EnableIPConflictDetection: true},
			{Version: 6, Address: "fd00::10/64", NIC: "eth0", IPPool: "v6", EnableIPConflictDetection: true},
			{Version: 4, Address: "10.7.0.5/24", NIC: "net1", IPPool: "b", EnableIPConflictDetection: true},
		},
		Routes: []agentapi.Route{{IfName: "eth0", Dst: "0.0.0.0/0", Gw: "10.6.0.1"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("AddResponse (-want +got):\n%s", d)
	}
}

// TestMigrationTargetSkipsConflictDetection: the target pod of a KubeVirt
// live migration gets its VM's address while the source pod still answers
// for it, so its answer asks for no conflict probe; the gateway probe
// stays as configured.
func TestMigrationTargetSkipsConflictDetection(t *testing.T) {
	res := &ipam.Result{SkipConflictDetection: true, NICs: []ipam.NIC{{Interface: "eth0",
		IPv4: &ipam.IPConfig{Address: netip.MustParsePrefix("10.6.0.10/16"), Pool: "v4", Gateway: netip.MustParseAddr("10.6.0.1")}}}}
	h := newHandler(&fakeIPAM{result: res}, "n1", detection{conflict: true, gateway: true})
	got, err := h.Allocate(t.Context(), &agentapi.AddRequest{IfName: "eth0"})
	if err != nil {
		t.Fatal(err)
	}
	ip := got.IPs[0]
	if ip.EnableIPConflictDetection || !ip.EnableGatewayDetection {
		t.Errorf("conflict detection %v, gateway detection %v; want false, true", ip.EnableIPConflictDetection,
			ip.EnableGatewayDetection)
	}
}

// TestReleaseKeptWhenAPIUnreachable: a release the API server cannot take
// goes to the on-disk queue and DEL succeeds; the drain retries it.
func TestReleaseKeptWhenAPIUnreachable(t *testing.T) {
	f := &fakeIPAM{releaseErr: errors.New("dial tcp 127.0.0.1:6443: connection refused")}
	a := &agent{svc: nil, queue: agentapi.NewReleaseQueue(t.TempDir(), 10)}
	h := newHandler(f, "n1", detection{})
	h.onReleaseError = a.keepRelease
	req := &agentapi.DelRequest{ContainerID: "c1", IfName: "eth0", PodNamespace: "ns", PodName: "p", PodUID: "u1"}
	if err := h.Release(t.Context(), req); err != nil {
		t.Fatalf("Release with the API down must queue and succeed; got %v", err)
	}
	if n, err := a.queue.Len(); err != nil || n != 1 {
		t.Fatalf("queue length = %d, %v; want 1", n, err)
	}
	f.releaseErr = nil
	var drained []agentapi.DelRequest
	if _, err := a.queue.Drain(func(r agentapi.QueuedRelease) error { drained = append(drained, r.DelRequest); return nil }); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]agentapi.DelRequest{*req}, drained); d != "" {
		t.Errorf("drained (-want +got):\n%s", d)
	}
}

// TestReleaseAllHonoursTheSwitch (review #15): a conflict release
// (isReleaseConflictIPs) is refused with Spiderpool's 521 while
// SPIDERPOOL_ENABLED_RELEASE_CONFLICT_IPS is false, without asking the IPAM
// service; otherwise the flag reaches the service, which refuses a
// StatefulSet or KubeVirt pod (522).
func TestReleaseAllHonoursTheSwitch(t *testing.T) {
	req := &agentapi.BatchDelRequest{ContainerID: "c1", PodNamespace: "ns", PodName: "p", PodUID: "u1", IsReleaseConflictIPs: true}
	for _, tc := range []struct {
		name     string
		enabled  bool
		conflict bool
		refused  bool
	}{
		{name: "switch off, conflict release", conflict: true, refused: true},
		{name: "switch off, plain batch release"},
		{name: "switch on, conflict release", enabled: true, conflict: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeIPAM{}
			h := newHandler(f, "n1", detection{})
			h.releaseConflictIPs = tc.enabled
			r := *req
			r.IsReleaseConflictIPs = tc.conflict
			err := h.ReleaseAll(t.Context(), &r)
			if tc.refused {
				if !agentapi.HasCode(err, agentapi.CodeStatelessReleaseForbidden) || !strings.Contains(err.Error(), "SPIDERPOOL_ENABLED_RELEASE_CONFLICT_IPS") {
					t.Fatalf("got %v, want StatelessReleaseForbidden naming the switch", err)
				}
				if len(f.releasedAll) != 0 {
					t.Errorf("the IPAM service was asked: %+v", f.releasedAll)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(f.releasedAll) != 1 || f.releasedAll[0].IsReleaseConflictIPs != tc.conflict || f.releasedAll[0].PodUID != "u1" {
				t.Errorf("IPAM requests %+v, want one with IsReleaseConflictIPs %v", f.releasedAll, tc.conflict)
			}
		})
	}
}
