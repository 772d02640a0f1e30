// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/ipamplugin"
)

// jsonEqual diffs two JSON documents by value.
func jsonEqual(t *testing.T, want string, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got %s: %v", got, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

// TestAddResultPerVersion checks the filtering to this interface and the
// conversion to every supported spec version.
func TestAddResultPerVersion(t *testing.T) {
	const routes = `"routes":[{"dst":"0.0.0.0/0","gw":"10.6.0.1"},{"dst":"::/0","gw":"fd00:6::1"},{"dst":"172.16.0.0/12","gw":"10.6.0.254"}]`
	const dns = `"dns":{"nameservers":["10.96.0.10"],"search":["svc.cluster.local"]}`
	old := `{"cniVersion":"%s","ips":[{"version":"4","address":"10.6.0.10/16","gateway":"10.6.0.1"},` +
		`{"version":"6","address":"fd00:6::10/64","gateway":"fd00:6::1"}],` + routes + `,` + dns + `}`
	current := `{"cniVersion":"%s","ips":[{"address":"10.6.0.10/16","gateway":"10.6.0.1"},` +
		`{"address":"fd00:6::10/64","gateway":"fd00:6::1"}],` + routes + `,` + dns + `}`
	for _, v := range []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"} {
		t.Run(v, func(t *testing.T) {
			tp := newTestPlugin(t)
			tp.client.addResp = dualStackResponse()
			if err := tp.Add(cmdArgs(netConf(t, v, nil))); err != nil {
				t.Fatalf("Add: %v", err)
			}
			want := fmt.Sprintf(current, v)
			if strings.HasPrefix(v, "0.") {
				want = fmt.Sprintf(old, v)
			}
			jsonEqual(t, want, tp.out.Bytes())
		})
	}
}

func TestAddSecondNIC(t *testing.T) {
	tp := newTestPlugin(t)
	tp.client.addResp = dualStackResponse()
	args := cmdArgs(netConf(t, "1.0.0", nil))
	args.IfName = "net1"
	if err := tp.Add(args); err != nil {
		t.Fatalf("Add: %v", err)
	}
	jsonEqual(t, `{"cniVersion":"1.0.0","ips":[{"address":"10.7.0.20/24","gateway":"10.7.0.1"}],`+
		`"routes":[{"dst":"10.8.0.0/16","gw":"10.7.0.1"}],"dns":{"nameservers":["10.96.0.10"],"search":["svc.cluster.local"]}}`,
		tp.out.Bytes())
	if diff := cmp.Diff([]string{"net1"}, tp.links.up); diff != "" {
		t.Errorf("interfaces set up (-want +got):\n%s", diff)
	}
}

func TestAddRequest(t *testing.T) {
	tp := newTestPlugin(t)
	tp.client.addResp = dualStackResponse()
	stdin := netConf(t, "1.0.0", map[string]any{"ipam": map[string]any{
		"type": "spiderpool", "default_ipv4_ippool": []string{"a", "b*"}, "default_ipv6_ippool": []string{"c"},
		"clean_gateway": true, "ipam_unix_socket_path": "/var/run/spidernet/x.sock",
	}})
	if err := tp.Add(cmdArgs(stdin)); err != nil {
		t.Fatalf("Add: %v", err)
	}
	want := []any{&agentapi.AddRequest{
		ContainerID: "ctr1", IfName: "eth0", NetNamespace: "/var/run/netns/pod1",
		PodNamespace: "default", PodName: "pod1", PodUID: "uid-1",
		DefaultIPv4IPPool: []string{"a", "b*"}, DefaultIPv6IPPool: []string{"c"}, CleanGateway: true,
	}}
	if diff := cmp.Diff(want, tp.client.requests); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	if tp.client.socket != "/var/run/spidernet/x.sock" {
		t.Errorf("socket %q, want /var/run/spidernet/x.sock", tp.client.socket)
	}
}

func TestAddErrors(t *testing.T) {
	tests := []struct {
		name     string
		stdin    map[string]any
		args     string
		agentErr error
		linksErr error
		resp     *agentapi.AddResponse
		code     uint
		msg      string
	}{
		{name: "bad config", stdin: map[string]any{"ipam": map[string]any{"type": "spiderpool", "log_level": "loud"}}, code: types.ErrInvalidNetworkConfig, msg: "ipam.log_level"},
		{name: "no ipam type", stdin: map[string]any{"ipam": map[string]any{}}, code: types.ErrInvalidNetworkConfig, msg: "ipam.type"},
		{name: "bad args", args: "K8S_POD_NAME=p", code: types.ErrInvalidEnvironmentVariables, msg: "K8S_POD_NAMESPACE"},
		{name: "no uid", args: "K8S_POD_NAME=p;K8S_POD_NAMESPACE=n", code: types.ErrInvalidEnvironmentVariables, msg: "K8S_POD_UID in CNI_ARGS is required"},
		{name: "agent down", agentErr: fmt.Errorf("%w: dial", agentapi.ErrUnreachable), code: types.ErrTryAgainLater, msg: "unhealthy spiderpool-agent backend: spiderpool-agent does not answer on /var/run/spidernet/spiderpool.sock"},
		{name: "agent not ready", agentErr: agentapi.NewError(agentapi.CodeNotReady, "restoring"), code: types.ErrTryAgainLater, msg: "restoring"},
		{name: "exhausted", agentErr: agentapi.NewError(agentapi.CodePoolExhausted, "pool v4 has no free address"), code: types.ErrInternal, msg: "pool v4 has no free address"},
		{name: "bad response", agentErr: fmt.Errorf("%w: ips is empty", agentapi.ErrBadResponse), code: types.ErrInternal, msg: "malformed"},
		{name: "netns gone", linksErr: fmt.Errorf("%w /x: gone", ipamplugin.ErrNetNS), code: types.ErrInvalidNetNS, msg: "/x"},
		{name: "link up fails", linksErr: errors.New("set interface eth0 up: busy"), code: types.ErrInternal, msg: "busy"},
		{name: "no address for this nic", resp: &agentapi.AddResponse{IPs: []agentapi.IPConfig{{Version: 4, Address: "10.0.0.1/24", NIC: "net1"}}}, code: types.ErrInternal, msg: "no address for interface eth0 (it did for [net1])"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := newTestPlugin(t)
			tp.client.err, tp.links.err = tt.agentErr, tt.linksErr
			tp.client.addResp = dualStackResponse()
			if tt.resp != nil {
				tp.client.addResp = tt.resp
			}
			args := cmdArgs(netConf(t, "1.0.0", tt.stdin))
			if tt.args != "" {
				args.Args = tt.args
			}
			e := wantCode(t, tp.Add(args), tt.code)
			if !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("message %q does not contain %q", e.Msg, tt.msg)
			}
			if tp.out.Len() != 0 {
				t.Errorf("printed %q on failure", tp.out)
			}
		})
	}
}
