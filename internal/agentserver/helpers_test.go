// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentserver_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/agentserver"
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
	return startServerWith(t, h, func(*agentserver.Server) {})
}

// startServerWith is startServer with extra routes added by more.
func startServerWith(t *testing.T, h agentapi.Handler, more func(*agentserver.Server)) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "run", "spiderpool.sock")
	l, err := agentapi.Listen(sock)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	srv := agentserver.New(h)
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
