// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin_test

import (
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/ipamplugin"
)

func TestGC(t *testing.T) {
	attachments := []map[string]string{{"containerID": "a", "ifname": "eth0"}, {"containerID": "b", "ifname": "net1"}}
	want := &agentapi.GCRequest{Network: "net-a", ValidAttachments: []agentapi.Attachment{
		{ContainerID: "a", IfName: "eth0"}, {ContainerID: "b", IfName: "net1"},
	}}
	tests := []struct {
		name  string
		extra map[string]any
		want  []any
	}{
		{"valid-attachments", map[string]any{"cni.dev/valid-attachments": attachments}, []any{want}},
		{"misspelled alias", map[string]any{"cni.dev/attachments": attachments}, []any{want}},
		{"empty list", map[string]any{"cni.dev/valid-attachments": []any{}},
			[]any{&agentapi.GCRequest{Network: "net-a", ValidAttachments: []agentapi.Attachment{}}}},
		{"no list", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := newTestPlugin(t)
			if err := tp.GC(cmdArgs(netConf(t, "1.1.0", tt.extra))); err != nil {
				t.Fatalf("GC: %v", err)
			}
			if diff := cmp.Diff(tt.want, tp.client.requests); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGCErrors(t *testing.T) {
	tp := newTestPlugin(t)
	bad := map[string]any{"cni.dev/valid-attachments": []map[string]string{{"containerID": "a"}}}
	wantCode(t, tp.GC(cmdArgs(netConf(t, "1.1.0", bad))), types.ErrInvalidNetworkConfig)
	tp.client.err = agentapi.ErrUnreachable
	ok := map[string]any{"cni.dev/valid-attachments": []any{}}
	wantCode(t, tp.GC(cmdArgs(netConf(t, "1.1.0", ok))), types.ErrTryAgainLater)
}

func TestStatus(t *testing.T) {
	tp := newTestPlugin(t)
	if err := tp.Status(cmdArgs(netConf(t, "1.1.0", nil))); err != nil {
		t.Fatalf("Status: %v", err)
	}
	tp.client.err = agentapi.NewError(agentapi.CodeNotReady, "waiting for the pod cache")
	e := wantCode(t, tp.Status(cmdArgs(netConf(t, "1.1.0", nil))), ipamplugin.ErrPluginNotAvailable)
	if !strings.Contains(e.Msg, "waiting for the pod cache") {
		t.Errorf("message %q lacks the reason", e.Msg)
	}
	tp.client.err = agentapi.ErrUnreachable
	wantCode(t, tp.Status(cmdArgs(netConf(t, "1.1.0", nil))), ipamplugin.ErrPluginNotAvailable)
	wantCode(t, tp.Status(cmdArgs([]byte(`{"cniVersion":"1.1.0","name":"n"}`))), types.ErrInvalidNetworkConfig)
}
