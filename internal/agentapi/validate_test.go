// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi_test

import (
	"errors"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/agentapi/apitest"
)

// wantField checks that err is an InvalidRequest error naming field, or nil
// when field is empty.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Errorf("got %v, want nil", err)
		}
		return
	}
	var e *agentapi.Error
	if !errors.As(err, &e) || e.Code != agentapi.CodeInvalidRequest || e.Field != field {
		t.Errorf("got %v, want InvalidRequest for %q", err, field)
	}
}

func TestAddRequestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*agentapi.AddRequest)
		field  string
	}{
		{"valid", func(*agentapi.AddRequest) {}, ""},
		{"no container", func(r *agentapi.AddRequest) { r.ContainerID = "" }, "containerID"},
		{"no ifname", func(r *agentapi.AddRequest) { r.IfName = "" }, "ifName"},
		{"long ifname", func(r *agentapi.AddRequest) { r.IfName = "abcdefghijklmnop" }, "ifName"},
		{"ifname slash", func(r *agentapi.AddRequest) { r.IfName = "a/b" }, "ifName"},
		{"no netns", func(r *agentapi.AddRequest) { r.NetNamespace = "" }, "netNamespace"},
		{"no namespace", func(r *agentapi.AddRequest) { r.PodNamespace = "" }, "podNamespace"},
		{"no name", func(r *agentapi.AddRequest) { r.PodName = "" }, "podName"},
		{"no uid", func(r *agentapi.AddRequest) { r.PodUID = "" }, "podUID"},
		{"empty pool", func(r *agentapi.AddRequest) { r.DefaultIPv6IPPool = []string{"a", ""} }, "defaultIPv6IPPool[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := apitest.ValidAdd()
			tt.mutate(r)
			wantField(t, r.Validate(), tt.field)
		})
	}
}

func TestOtherRequestsValidate(t *testing.T) {
	tests := []struct {
		name  string
		req   interface{ Validate() error }
		field string
	}{
		{"del valid without uid and netns", &agentapi.DelRequest{ContainerID: "c", IfName: "eth0", PodNamespace: "n", PodName: "p"}, ""},
		{"del no ifname", &agentapi.DelRequest{ContainerID: "c", PodNamespace: "n", PodName: "p"}, "ifName"},
		{"del no name", &agentapi.DelRequest{ContainerID: "c", IfName: "eth0", PodNamespace: "n"}, "podName"},
		{"batch valid", &agentapi.BatchDelRequest{ContainerID: "c", PodNamespace: "n", PodName: "p"}, ""},
		{"batch no container", &agentapi.BatchDelRequest{PodNamespace: "n", PodName: "p"}, "containerID"},
		{"check no uid", &agentapi.CheckRequest{ContainerID: "c", IfName: "eth0", PodNamespace: "n", PodName: "p"}, "podUID"},
		{"gc empty list", &agentapi.GCRequest{ValidAttachments: []agentapi.Attachment{}}, ""},
		{"gc no list", &agentapi.GCRequest{}, "validAttachments"},
		{"gc bad entry", &agentapi.GCRequest{ValidAttachments: []agentapi.Attachment{{ContainerID: "c", IfName: "eth0"}, {ContainerID: "c"}}}, "validAttachments[1].ifName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantField(t, tt.req.Validate(), tt.field) })
	}
}

func TestAddResponseValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*agentapi.AddResponse)
		field  string
	}{
		{"valid", func(*agentapi.AddResponse) {}, ""},
		{"no ips", func(r *agentapi.AddResponse) { r.IPs = nil }, "ips"},
		{"bad version", func(r *agentapi.AddResponse) { r.IPs[0].Version = 5 }, "ips[0].version"},
		{"no prefix", func(r *agentapi.AddResponse) { r.IPs[0].Address = "10.6.0.10" }, "ips[0].address"},
		{"family mismatch", func(r *agentapi.AddResponse) { r.IPs[1].Version = 4 }, "ips[1].address"},
		{"mapped v4 is v6", func(r *agentapi.AddResponse) { r.IPs[0].Address = "::ffff:10.6.0.10/112" }, "ips[0].address"},
		{"no nic", func(r *agentapi.AddResponse) { r.IPs[0].NIC = "" }, "ips[0].nic"},
		{"gateway family", func(r *agentapi.AddResponse) { r.IPs[0].Gateway = "fd00::1" }, "ips[0].gateway"},
		{"gateway zone", func(r *agentapi.AddResponse) { r.IPs[1].Gateway = "fe80::1%eth0" }, "ips[1].gateway"},
		{"no gateway", func(r *agentapi.AddResponse) { r.IPs[0].Gateway = "" }, ""},
		{"route dst", func(r *agentapi.AddResponse) { r.Routes[0].Dst = "default" }, "routes[0].dst"},
		{"route gw family", func(r *agentapi.AddResponse) { r.Routes[0].Gw = "fd00::1" }, "routes[0].gw"},
		{"route ifname", func(r *agentapi.AddResponse) { r.Routes[0].IfName = "" }, "routes[0].ifName"},
		{"on-link route", func(r *agentapi.AddResponse) { r.Routes[0].Gw = "" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := apitest.ValidAddResponse()
			tt.mutate(r)
			wantField(t, r.Validate(), tt.field)
		})
	}
}
