// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// nopHandler fails the test if the server ever calls it.
type nopHandler struct{ t *testing.T }

func (h nopHandler) Healthy(context.Context) error { return nil }
func (h nopHandler) Allocate(context.Context, *AddRequest) (*AddResponse, error) {
	h.t.Error("Allocate called")
	return nil, nil
}
func (h nopHandler) Release(context.Context, *DelRequest) error {
	h.t.Error("Release called")
	return nil
}
func (h nopHandler) ReleaseAll(context.Context, *BatchDelRequest) error {
	h.t.Error("ReleaseAll called")
	return nil
}
func (h nopHandler) Check(context.Context, *CheckRequest) (*CheckResponse, error) {
	h.t.Error("Check called")
	return nil, nil
}
func (h nopHandler) GC(context.Context, *GCRequest) error { h.t.Error("GC called"); return nil }

// TestSpiderpoolStatuses: Spiderpool's agent answers a refused batch
// release with 521 or 522 and a JSON string body
// (docs/reference/interface.md §5.2); the client keeps the meaning.
func TestSpiderpoolStatuses(t *testing.T) {
	for status, want := range map[int]Code{521: CodeStatelessReleaseForbidden, 522: CodeStatefulReleaseForbidden, 403: CodeWrongNode} {
		if got := errorFromBody(status, []byte(`"forbid releasing IPs"`)); got.Code != want || got.Message != `"forbid releasing IPs"` {
			t.Errorf("status %d: got %+v, want code %s", status, got, want)
		}
	}
}

func TestServerRejectsBadBodies(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		want                     Code
		status                   int
	}{
		{"not JSON", http.MethodPost, PathIP, "{", CodeInvalidRequest, 400},
		{"empty", http.MethodPost, PathIP, "", CodeInvalidRequest, 400},
		{"two values", http.MethodDelete, PathIP, `{"containerID":"c","ifName":"e","podNamespace":"n","podName":"p"} {}`, CodeInvalidRequest, 400},
		{"wrong type", http.MethodPost, PathIP, `{"containerID":1}`, CodeInvalidRequest, 400},
		{"too large", http.MethodPost, PathGC, `{"validAttachments":[` + strings.Repeat(`{"containerID":"c","ifName":"eth0"},`, MaxBodyBytes/30) + `{}]}`, CodeInvalidRequest, 400},
		{"unknown path", http.MethodGet, "/v1/nope", "", CodeNotFound, 404},
		{"wrong method", http.MethodPut, PathIP, "{}", CodeInvalidRequest, 405},
	}
	srv := NewServer(nopHandler{t})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body)))
			got := errorFromBody(rec.Code, rec.Body.Bytes())
			if got.Code != tt.want || got.HTTPStatus != tt.status {
				t.Errorf("got %v (status %d), want %s (status %d)", got, got.HTTPStatus, tt.want, tt.status)
			}
		})
	}
}
