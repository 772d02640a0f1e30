// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

func TestDel(t *testing.T) {
	wantReq := agentapi.DelRequest{
		ContainerID: "ctr1", IfName: "eth0", NetNamespace: "/var/run/netns/pod1",
		PodNamespace: "default", PodName: "pod1", PodUID: "uid-1",
	}
	tests := []struct {
		name   string
		err    error
		queued bool
	}{
		{name: "released"},
		{name: "nothing recorded", err: agentapi.NewError(agentapi.CodeNotFound, "no endpoint")},
		{name: "agent down", err: fmt.Errorf("%w: dial", agentapi.ErrUnreachable), queued: true},
		{name: "agent not ready", err: agentapi.NewError(agentapi.CodeNotReady, "restoring"), queued: true},
		{name: "agent failing", err: agentapi.NewError(agentapi.CodeInternal, "apiserver timeout"), queued: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := newTestPlugin(t)
			tp.client.err = tt.err
			if err := tp.Del(cmdArgs(netConf(t, "1.0.0", nil))); err != nil {
				t.Fatalf("Del: %v", err)
			}
			if diff := cmp.Diff([]any{&wantReq}, tp.client.requests); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
			var queued []agentapi.DelRequest
			if _, err := agentapi.NewReleaseQueue(tp.QueueDir(""), 0).Drain(func(r agentapi.QueuedRelease) error {
				queued = append(queued, r.DelRequest)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			var want []agentapi.DelRequest
			if tt.queued {
				want = []agentapi.DelRequest{wantReq}
			}
			if diff := cmp.Diff(want, queued); diff != "" {
				t.Errorf("queued (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDelErrors(t *testing.T) {
	t.Run("queue full", func(t *testing.T) {
		tp := newTestPlugin(t)
		tp.QueueCapacity = 1
		tp.client.err = fmt.Errorf("%w: dial", agentapi.ErrUnreachable)
		first := cmdArgs(netConf(t, "1.0.0", nil))
		first.ContainerID = "other"
		if err := tp.Del(first); err != nil {
			t.Fatalf("first Del: %v", err)
		}
		e := wantCode(t, tp.Del(cmdArgs(netConf(t, "1.0.0", nil))), types.ErrTryAgainLater)
		if !strings.Contains(e.Msg, "queue is full") {
			t.Errorf("message %q does not say the queue is full", e.Msg)
		}
	})
	t.Run("no pod UID, agent down", func(t *testing.T) {
		// Review #14: queued without the UID, the release could free the
		// addresses of a same-name pod created before the agent drains it.
		tp := newTestPlugin(t)
		tp.client.err = fmt.Errorf("%w: dial", agentapi.ErrUnreachable)
		args := cmdArgs(netConf(t, "1.0.0", nil))
		args.Args = "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=pod1"
		e := wantCode(t, tp.Del(args), types.ErrTryAgainLater)
		for _, want := range []string{"default/pod1", "K8S_POD_UID", "not queued"} {
			if !strings.Contains(e.Msg, want) {
				t.Errorf("message %q does not contain %q", e.Msg, want)
			}
		}
		if n, err := agentapi.NewReleaseQueue(tp.QueueDir(""), 0).Len(); err != nil || n != 0 {
			t.Errorf("queued %d, %v; want nothing", n, err)
		}
	})
	t.Run("agent refuses", func(t *testing.T) {
		tp := newTestPlugin(t)
		tp.client.err = agentapi.NewError(agentapi.CodeConflict, "stateful pod")
		e := wantCode(t, tp.Del(cmdArgs(netConf(t, "1.0.0", nil))), types.ErrInternal)
		if !strings.Contains(e.Msg, "stateful pod") {
			t.Errorf("message %q lacks the agent's", e.Msg)
		}
	})
	t.Run("bad config", func(t *testing.T) {
		tp := newTestPlugin(t)
		wantCode(t, tp.Del(cmdArgs([]byte(`{"cniVersion":"1.0.0","name":"n"}`))), types.ErrInvalidNetworkConfig)
	})
}

// TestDelReleasesWhenAddressesStayOn: failing to take the addresses off the
// interface is reported but never stops the release.
func TestDelReleasesWhenAddressesStayOn(t *testing.T) {
	tp := newTestPlugin(t)
	tp.links.err = fmt.Errorf("netlink: permission denied")
	var stderr strings.Builder
	tp.Stderr = &stderr
	if err := tp.Del(cmdArgs(netConf(t, "1.0.0", nil))); err != nil {
		t.Fatalf("Del: %v", err)
	}
	if diff := cmp.Diff([]string{"eth0"}, tp.links.unaddressed); diff != "" {
		t.Errorf("interfaces unaddressed (-want +got):\n%s", diff)
	}
	if len(tp.client.requests) != 1 {
		t.Errorf("agent requests %v, want the release", tp.client.requests)
	}
	if !strings.Contains(stderr.String(), "addresses left on the interface: netlink: permission denied") {
		t.Errorf("stderr %q does not report the failure", stderr.String())
	}
}
