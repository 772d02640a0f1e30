// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// nopHandler fails the test if the server ever calls it.
type nopHandler struct{ t *testing.T }

func (h nopHandler) Healthy(context.Context) error { return nil }
func (h nopHandler) Allocate(context.Context, *agentapi.AddRequest) (*agentapi.AddResponse, error) {
	h.t.Error("Allocate called")
	return nil, nil
}
func (h nopHandler) Release(context.Context, *agentapi.DelRequest) error {
	h.t.Error("Release called")
	return nil
}
func (h nopHandler) ReleaseAll(context.Context, *agentapi.BatchDelRequest) error {
	h.t.Error("ReleaseAll called")
	return nil
}
func (h nopHandler) Check(context.Context, *agentapi.CheckRequest) (*agentapi.CheckResponse, error) {
	h.t.Error("Check called")
	return nil, nil
}
func (h nopHandler) GC(context.Context, *agentapi.GCRequest) error {
	h.t.Error("GC called")
	return nil
}

func TestServerRejectsBadBodies(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		want                     agentapi.Code
		status                   int
	}{
		{"not JSON", http.MethodPost, agentapi.PathIP, "{", agentapi.CodeInvalidRequest, 400},
		{"empty", http.MethodPost, agentapi.PathIP, "", agentapi.CodeInvalidRequest, 400},
		{"two values", http.MethodDelete, agentapi.PathIP, `{"containerID":"c","ifName":"e","podNamespace":"n","podName":"p"} {}`, agentapi.CodeInvalidRequest, 400},
		{"wrong type", http.MethodPost, agentapi.PathIP, `{"containerID":1}`, agentapi.CodeInvalidRequest, 400},
		{"too large", http.MethodPost, agentapi.PathGC, `{"validAttachments":[` + strings.Repeat(`{"containerID":"c","ifName":"eth0"},`, agentapi.MaxBodyBytes/30) + `{}]}`, agentapi.CodeInvalidRequest, 400},
		{"unknown path", http.MethodGet, "/v1/nope", "", agentapi.CodeNotFound, 404},
		{"wrong method", http.MethodPut, agentapi.PathIP, "{}", agentapi.CodeInvalidRequest, 405},
	}
	srv := New(nopHandler{t})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body)))
			got := agentapi.ResponseError(rec.Code, rec.Body.Bytes())
			if got.Code != tt.want || got.HTTPStatus != tt.status {
				t.Errorf("got %v (status %d), want %s (status %d)", got, got.HTTPStatus, tt.want, tt.status)
			}
		})
	}
}
