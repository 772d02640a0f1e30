// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package apitest holds valid agent API values for the tests of the
// packages that speak it (agentapi, agentserver); tests change a field to
// make one invalid.
package apitest

import "github.com/spiderpool-go/spiderpool/internal/agentapi"

// ValidAdd is an ADD request that passes validation.
func ValidAdd() *agentapi.AddRequest {
	return &agentapi.AddRequest{
		ContainerID: "ctr1", IfName: "eth0", NetNamespace: "/var/run/netns/p1",
		PodNamespace: "default", PodName: "p1", PodUID: "uid-1",
		DefaultIPv4IPPool: []string{"v4"},
	}
}

// ValidAddResponse is a dual-stack ADD response that passes validation.
func ValidAddResponse() *agentapi.AddResponse {
	return &agentapi.AddResponse{
		IPs: []agentapi.IPConfig{
			{Version: 4, Address: "10.6.0.10/16", NIC: "eth0", IPPool: "v4", Gateway: "10.6.0.1"},
			{Version: 6, Address: "fd00::10/64", NIC: "eth0", IPPool: "v6", Gateway: "fd00::1"},
		},
		Routes: []agentapi.Route{{IfName: "eth0", Dst: "0.0.0.0/0", Gw: "10.6.0.1"}},
	}
}
