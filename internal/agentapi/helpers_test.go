// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// fakeHandler records the requests it gets and answers with its fields.
type fakeHandler struct {
	mu       sync.Mutex
	notReady error
	err      error
	addResp  *agentapi.AddResponse
	checkRsp *agentapi.CheckResponse
	calls    []any
}

var _ agentapi.Handler = (*fakeHandler)(nil)

func (f *fakeHandler) record(req any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, req)
	return f.err
}

func (f *fakeHandler) Calls() []any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]any(nil), f.calls...)
}

func (f *fakeHandler) Healthy(context.Context) error { return f.notReady }

func (f *fakeHandler) Allocate(_ context.Context, req *agentapi.AddRequest) (*agentapi.AddResponse, error) {
	if err := f.record(req); err != nil {
		return nil, err
	}
	return f.addResp, nil
}

func (f *fakeHandler) Release(_ context.Context, req *agentapi.DelRequest) error {
	return f.record(req)
}

func (f *fakeHandler) ReleaseAll(_ context.Context, req *agentapi.BatchDelRequest) error {
	return f.record(req)
}

func (f *fakeHandler) Check(_ context.Context, req *agentapi.CheckRequest) (*agentapi.CheckResponse, error) {
	if err := f.record(req); err != nil {
		return nil, err
	}
	return f.checkRsp, nil
}

func (f *fakeHandler) GC(_ context.Context, req *agentapi.GCRequest) error {
	return f.record(req)
}

// startServer serves h on a socket in a temporary directory until the test
// ends and returns the socket path.
func startServer(t *testing.T, h agentapi.Handler) string {
	t.Helper()
	return startServerWith(t, h, func(*agentapi.Server) {})
}

// startServerWith is startServer with extra routes added by more.
func startServerWith(t *testing.T, h agentapi.Handler, more func(*agentapi.Server)) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "run", "spiderpool.sock")
	l, err := agentapi.Listen(sock)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	srv := agentapi.NewServer(h)
	more(srv)
	go func() { done <- srv.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("Serve: %v", err)
		}
	})
	return sock
}

func validAdd() *agentapi.AddRequest {
	return &agentapi.AddRequest{
		ContainerID: "ctr1", IfName: "eth0", NetNamespace: "/var/run/netns/p1",
		PodNamespace: "default", PodName: "p1", PodUID: "uid-1",
		DefaultIPv4IPPool: []string{"v4"},
	}
}

func validAddResponse() *agentapi.AddResponse {
	return &agentapi.AddResponse{
		IPs: []agentapi.IPConfig{
			{Version: 4, Address: "10.6.0.10/16", NIC: "eth0", IPPool: "v4", Gateway: "10.6.0.1"},
			{Version: 6, Address: "fd00::10/64", NIC: "eth0", IPPool: "v6", Gateway: "fd00::1"},
		},
		Routes: []agentapi.Route{{IfName: "eth0", Dst: "0.0.0.0/0", Gw: "10.6.0.1"}},
	}
}
