// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/ipamplugin"
)

func prevResult(ips ...string) map[string]any {
	var list []map[string]any
	for _, ip := range ips {
		list = append(list, map[string]any{"address": ip})
	}
	return map[string]any{"prevResult": map[string]any{"cniVersion": "1.0.0", "ips": list}}
}

func TestCheck(t *testing.T) {
	record := &agentapi.CheckResponse{IPs: []agentapi.IPConfig{
		{Version: 4, Address: "10.6.0.10/16", NIC: "eth0"},
		{Version: 6, Address: "fd00:6::10/64", NIC: "eth0"},
	}}
	onLink := []netip.Prefix{
		netip.MustParsePrefix("10.6.0.10/16"), netip.MustParsePrefix("fd00:6::10/64"),
		netip.MustParsePrefix("fe80::1/64"),
	}
	tests := []struct {
		name     string
		extra    map[string]any
		agentErr error
		linkErr  error
		addrs    []netip.Prefix
		code     uint
		msg      string
	}{
		{name: "ok", extra: prevResult("10.6.0.10/16", "fd00:6::10/64"), addrs: onLink},
		{name: "no prevResult", code: types.ErrInvalidNetworkConfig, msg: "prevResult"},
		{name: "prevResult differs", extra: prevResult("10.6.0.11/16", "fd00:6::10/64"), addrs: onLink, code: types.ErrInternal,
			msg: "10.6.0.10/16 is recorded by spiderpool-agent but not in prevResult; 10.6.0.11/16 is in prevResult"},
		{name: "address removed", extra: prevResult("10.6.0.10/16", "fd00:6::10/64"), addrs: onLink[1:], code: types.ErrInternal,
			msg: "address 10.6.0.10/16 is missing from interface eth0"},
		{name: "no record", extra: prevResult("10.6.0.10/16"), agentErr: agentapi.NewError(agentapi.CodeNotFound, "none"),
			code: types.ErrInternal, msg: "no allocation for pod default/pod1 (UID uid-1) interface eth0"},
		{name: "agent down", extra: prevResult("10.6.0.10/16"), agentErr: agentapi.ErrUnreachable, code: types.ErrTryAgainLater},
		{name: "netns gone", extra: prevResult("10.6.0.10/16", "fd00:6::10/64"), linkErr: ipamplugin.ErrNetNS, code: types.ErrInvalidNetNS},
		{name: "interface gone", extra: prevResult("10.6.0.10/16", "fd00:6::10/64"), linkErr: errors.New("find interface eth0: not found"),
			code: types.ErrInternal, msg: "find interface eth0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := newTestPlugin(t)
			tp.client.checkRsp, tp.client.err = record, tt.agentErr
			tp.links.addrs, tp.links.err = tt.addrs, tt.linkErr
			err := tp.Check(cmdArgs(netConf(t, "1.0.0", tt.extra)))
			if tt.code == 0 {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			if e := wantCode(t, err, tt.code); !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("message %q does not contain %q", e.Msg, tt.msg)
			}
		})
	}
}
