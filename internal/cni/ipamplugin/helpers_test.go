// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/netip"
	"testing"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/ipamplugin"
)

// fakeClient answers with its fields and records the requests.
type fakeClient struct {
	err      error
	addResp  *agentapi.AddResponse
	checkRsp *agentapi.CheckResponse
	socket   string
	requests []any
}

func (f *fakeClient) Healthy(context.Context) error { return f.err }

func (f *fakeClient) Allocate(_ context.Context, req *agentapi.AddRequest) (*agentapi.AddResponse, error) {
	f.requests = append(f.requests, req)
	return f.addResp, f.err
}

func (f *fakeClient) Release(_ context.Context, req *agentapi.DelRequest) error {
	f.requests = append(f.requests, req)
	return f.err
}

func (f *fakeClient) ReleaseAll(_ context.Context, req *agentapi.BatchDelRequest) error {
	f.requests = append(f.requests, req)
	return f.err
}

func (f *fakeClient) Check(_ context.Context, req *agentapi.CheckRequest) (*agentapi.CheckResponse, error) {
	f.requests = append(f.requests, req)
	return f.checkRsp, f.err
}

func (f *fakeClient) GC(_ context.Context, req *agentapi.GCRequest) error {
	f.requests = append(f.requests, req)
	return f.err
}

// fakeLinks pretends to be the pod netns.
type fakeLinks struct {
	err         error
	addrs       []netip.Prefix
	up          []string
	unaddressed []string
}

func (f *fakeLinks) SetUp(_, ifName string) error {
	f.up = append(f.up, ifName)
	return f.err
}

func (f *fakeLinks) Addrs(string, string) ([]netip.Prefix, error) { return f.addrs, f.err }

func (f *fakeLinks) Unaddress(_, ifName string) error {
	f.unaddressed = append(f.unaddressed, ifName)
	return f.err
}

// testPlugin wires a Plugin to fakes and captures its output.
type testPlugin struct {
	*ipamplugin.Plugin
	client *fakeClient
	links  *fakeLinks
	out    *bytes.Buffer
}

func newTestPlugin(t *testing.T) *testPlugin {
	tp := &testPlugin{client: &fakeClient{}, links: &fakeLinks{}, out: &bytes.Buffer{}}
	queueDir := t.TempDir()
	tp.Plugin = &ipamplugin.Plugin{
		NewClient: func(socket string) ipamplugin.Client {
			tp.client.socket = socket
			return tp.client
		},
		Links:    tp.links,
		Stdout:   tp.out,
		QueueDir: func(string) string { return queueDir },
		Stderr:   io.Discard,
	}
	return tp
}

// netConf is a macvlan config delegating to spiderpool, with extra
// top-level keys merged in.
func netConf(t *testing.T, cniVersion string, extra map[string]any) []byte {
	t.Helper()
	conf := map[string]any{
		"cniVersion": cniVersion, "name": "net-a", "type": "macvlan", "master": "eth0",
		"ipam": map[string]any{"type": "spiderpool", "default_ipv4_ippool": []string{"v4"}},
	}
	for k, v := range extra {
		conf[k] = v
	}
	data, err := json.Marshal(conf)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func cmdArgs(stdin []byte) *skel.CmdArgs {
	return &skel.CmdArgs{
		ContainerID: "ctr1", Netns: "/var/run/netns/pod1", IfName: "eth0",
		Args:      "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=pod1;K8S_POD_UID=uid-1",
		Path:      "/opt/cni/bin",
		StdinData: stdin,
	}
}

// wantCode checks that err is a *types.Error with the code.
func wantCode(t *testing.T, err error, code uint) *types.Error {
	t.Helper()
	var e *types.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want *types.Error with code %d", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("got code %d (%s), want %d", e.Code, e.Msg, code)
	}
	return e
}

func dualStackResponse() *agentapi.AddResponse {
	return &agentapi.AddResponse{
		IPs: []agentapi.IPConfig{
			{Version: 4, Address: "10.6.0.10/16", NIC: "eth0", IPPool: "v4", Gateway: "10.6.0.1"},
			{Version: 6, Address: "fd00:6::10/64", NIC: "eth0", IPPool: "v6", Gateway: "fd00:6::1"},
			{Version: 4, Address: "10.7.0.20/24", NIC: "net1", IPPool: "v4b", Gateway: "10.7.0.1"},
		},
		Routes: []agentapi.Route{
			{IfName: "eth0", Dst: "0.0.0.0/0", Gw: "10.6.0.1"},
			{IfName: "eth0", Dst: "::/0", Gw: "fd00:6::1"},
			{IfName: "net1", Dst: "10.8.0.0/16", Gw: "10.7.0.1"},
			{IfName: "eth0", Dst: "172.16.0.1/12", Gw: "10.6.0.254"},
		},
		DNS: agentapi.DNS{Nameservers: []string{"10.96.0.10"}, Search: []string{"svc.cluster.local"}},
	}
}
