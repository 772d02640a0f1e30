// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentserver_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/agentapi/apitest"
)

func TestRoundTrip(t *testing.T) {
	h := &fakeHandler{addResp: apitest.ValidAddResponse(), checkRsp: &agentapi.CheckResponse{IPs: apitest.ValidAddResponse().IPs[:1]}}
	c := agentapi.NewClient(startServer(t, h))
	ctx := t.Context()

	if err := c.Healthy(ctx); err != nil {
		t.Fatalf("Healthy: %v", err)
	}
	add := apitest.ValidAdd()
	got, err := c.Allocate(ctx, add)
	if err != nil {
		t.Fatalf("Allocate: %v", err)
	}
	if diff := cmp.Diff(apitest.ValidAddResponse(), got); diff != "" {
		t.Errorf("Allocate response (-want +got):\n%s", diff)
	}
	del := &agentapi.DelRequest{ContainerID: "ctr1", IfName: "eth0", PodNamespace: "default", PodName: "p1"}
	if err := c.Release(ctx, del); err != nil {
		t.Fatalf("Release: %v", err)
	}
	batch := &agentapi.BatchDelRequest{ContainerID: "ctr1", PodNamespace: "default", PodName: "p1", IsReleaseConflictIPs: true}
	if err := c.ReleaseAll(ctx, batch); err != nil {
		t.Fatalf("ReleaseAll: %v", err)
	}
	check := &agentapi.CheckRequest{ContainerID: "ctr1", IfName: "eth0", PodNamespace: "default", PodName: "p1", PodUID: "uid-1"}
	rec, err := c.Check(ctx, check)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if diff := cmp.Diff(h.checkRsp, rec); diff != "" {
		t.Errorf("Check response (-want +got):\n%s", diff)
	}
	gc := &agentapi.GCRequest{Network: "net", ValidAttachments: []agentapi.Attachment{}}
	if err := c.GC(ctx, gc); err != nil {
		t.Fatalf("GC: %v", err)
	}
	want := []any{add, del, batch, check, gc}
	if diff := cmp.Diff(want, h.Calls()); diff != "" {
		t.Errorf("handler calls (-want +got):\n%s", diff)
	}
}

func TestNotReadyGatesEveryIPAMCall(t *testing.T) {
	h := &fakeHandler{notReady: errors.New("restoring allocations"), addResp: apitest.ValidAddResponse()}
	c := agentapi.NewClient(startServer(t, h))
	ctx := t.Context()
	calls := map[string]error{
		"Healthy":    c.Healthy(ctx),
		"Release":    c.Release(ctx, &agentapi.DelRequest{ContainerID: "c", IfName: "eth0", PodNamespace: "n", PodName: "p"}),
		"ReleaseAll": c.ReleaseAll(ctx, &agentapi.BatchDelRequest{ContainerID: "c", PodNamespace: "n", PodName: "p"}),
		"GC":         c.GC(ctx, &agentapi.GCRequest{ValidAttachments: []agentapi.Attachment{}}),
	}
	_, calls["Allocate"] = c.Allocate(ctx, apitest.ValidAdd())
	_, calls["Check"] = c.Check(ctx, &agentapi.CheckRequest{ContainerID: "c", IfName: "eth0", PodNamespace: "n", PodName: "p", PodUID: "u"})
	for name, err := range calls {
		var e *agentapi.Error
		if !errors.As(err, &e) {
			t.Errorf("%s: got %v, want *agentapi.Error", name, err)
			continue
		}
		want := &agentapi.Error{Code: agentapi.CodeNotReady, Message: "restoring allocations", HTTPStatus: http.StatusServiceUnavailable}
		if diff := cmp.Diff(want, e); diff != "" {
			t.Errorf("%s error (-want +got):\n%s", name, diff)
		}
	}
	if n := len(h.Calls()); n != 0 {
		t.Errorf("handler called %d times while not ready", n)
	}
}

func TestHandlerErrors(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		want    agentapi.Code
		status  int
		message string
	}{
		{"typed", agentapi.NewError(agentapi.CodePoolExhausted, "pool %s is full", "v4"), agentapi.CodePoolExhausted, 422, "pool v4 is full"},
		{"wrapped typed", errors.Join(errors.New("ctx"), agentapi.NewError(agentapi.CodeNoPool, "no pool")), agentapi.CodeNoPool, 422, "no pool"},
		{"conflict", agentapi.NewError(agentapi.CodeConflict, "in use"), agentapi.CodeConflict, 409, "in use"},
		{"not found", agentapi.NewError(agentapi.CodeNotFound, "none"), agentapi.CodeNotFound, 404, "none"},
		{"plain", errors.New("apiserver: connection refused"), agentapi.CodeInternal, 500, "apiserver: connection refused"},
		{"wrong node", agentapi.NewError(agentapi.CodeWrongNode, "pod on n2"), agentapi.CodeWrongNode, 403, "pod on n2"},
		{"stateless release forbidden", agentapi.NewError(agentapi.CodeStatelessReleaseForbidden, "off"), agentapi.CodeStatelessReleaseForbidden, 521, "off"},
		{"stateful release forbidden", agentapi.NewError(agentapi.CodeStatefulReleaseForbidden, "sts"), agentapi.CodeStatefulReleaseForbidden, 522, "sts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := agentapi.NewClient(startServer(t, &fakeHandler{err: tt.err}))
			_, err := c.Allocate(t.Context(), apitest.ValidAdd())
			want := &agentapi.Error{Code: tt.want, Message: tt.message, HTTPStatus: tt.status}
			var got *agentapi.Error
			if !errors.As(err, &got) {
				t.Fatalf("got %v, want *agentapi.Error", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServerRejectsInvalidRequests(t *testing.T) {
	h := &fakeHandler{addResp: apitest.ValidAddResponse()}
	sock := startServer(t, h)
	c := agentapi.NewClient(sock)
	req := apitest.ValidAdd()
	req.PodUID = ""
	_, err := c.Allocate(t.Context(), req)
	want := &agentapi.Error{Code: agentapi.CodeInvalidRequest, Field: "podUID", Message: "is required", HTTPStatus: 400}
	var got *agentapi.Error
	if !errors.As(err, &got) {
		t.Fatalf("got %v, want *agentapi.Error", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if err := c.GC(t.Context(), &agentapi.GCRequest{}); !agentapi.HasCode(err, agentapi.CodeInvalidRequest) ||
		!strings.Contains(err.Error(), "validAttachments") {
		t.Errorf("GC without a list: got %v, want InvalidRequest naming validAttachments", err)
	}
	if n := len(h.Calls()); n != 0 {
		t.Errorf("handler called %d times for invalid requests", n)
	}
}

func TestUnreachable(t *testing.T) {
	c := agentapi.NewClient(t.TempDir() + "/missing.sock")
	err := c.Healthy(t.Context())
	if !errors.Is(err, agentapi.ErrUnreachable) {
		t.Fatalf("got %v, want ErrUnreachable", err)
	}
	if !strings.Contains(err.Error(), "missing.sock") {
		t.Errorf("error %q does not name the socket", err)
	}
}

func TestBadResponse(t *testing.T) {
	resp := apitest.ValidAddResponse()
	resp.IPs[0].Address = "10.6.0.10"
	c := agentapi.NewClient(startServer(t, &fakeHandler{addResp: resp}))
	_, err := c.Allocate(t.Context(), apitest.ValidAdd())
	if !errors.Is(err, agentapi.ErrBadResponse) {
		t.Fatalf("got %v, want ErrBadResponse", err)
	}
	if agentapi.HasCode(err, agentapi.CodeInvalidRequest) {
		t.Errorf("a bad response must not read as an invalid request: %v", err)
	}
}

// slowHandler blocks in Allocate until the request's context ends.
type slowHandler struct{ fakeHandler }

func (s *slowHandler) Allocate(ctx context.Context, _ *agentapi.AddRequest) (*agentapi.AddResponse, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestClientTimeout(t *testing.T) {
	timeouts := agentapi.DefaultTimeouts()
	timeouts.Add = 50 * time.Millisecond
	c := agentapi.NewClient(startServer(t, &slowHandler{}), agentapi.WithTimeouts(timeouts))
	_, err := c.Allocate(t.Context(), apitest.ValidAdd())
	if !errors.Is(err, agentapi.ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want ErrUnreachable and DeadlineExceeded", err)
	}
}
