// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"bytes"
	"errors"
	"testing"
)

// TestSpiderpoolStatuses: Spiderpool's agent answers a refused batch
// release with 521 or 522 and a JSON string body
// (docs/reference/interface.md §5.2); the client keeps the meaning.
func TestSpiderpoolStatuses(t *testing.T) {
	for status, want := range map[int]Code{521: CodeStatelessReleaseForbidden, 522: CodeStatefulReleaseForbidden, 403: CodeWrongNode} {
		if got := ResponseError(status, []byte(`"forbid releasing IPs"`)); got.Code != want || got.Message != `"forbid releasing IPs"` {
			t.Errorf("status %d: got %+v, want code %s", status, got, want)
		}
	}
}

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name, raw  string
		status     int
		body       string
		wantErr    bool
		truncation bool
	}{
		{name: "content length", raw: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", status: 200, body: "{}"},
		{name: "to the end", raw: "HTTP/1.0 422 Unprocessable Entity\r\nConnection: close\r\n\r\n{\"code\":\"NoPool\"}", status: 422, body: `{"code":"NoPool"}`},
		{name: "lower-case header", raw: "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nab", status: 200, body: "a"},
		{name: "no reason", raw: "HTTP/1.1 503\r\n\r\n", status: 503, body: ""},
		{name: "truncated", raw: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", wantErr: true, truncation: true},
		{name: "no end of headers", raw: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", wantErr: true},
		{name: "not HTTP", raw: "SSH-2.0-OpenSSH\r\n\r\n", wantErr: true},
		{name: "bad status", raw: "HTTP/1.1 2x0 OK\r\n\r\n", wantErr: true},
		{name: "bad length", raw: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", wantErr: true},
		{name: "empty", raw: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, err := parseResponse([]byte(tt.raw))
			if (err != nil) != tt.wantErr || errors.Is(err, errTruncated) != tt.truncation {
				t.Fatalf("err = %v, want error %t (truncated %t)", err, tt.wantErr, tt.truncation)
			}
			if err == nil && (status != tt.status || string(body) != tt.body) {
				t.Errorf("got %d %q, want %d %q", status, body, tt.status, tt.body)
			}
		})
	}
}

func TestRequest(t *testing.T) {
	got := string(request(methodDelete, PathIP, []byte(`{"a":1}`)))
	want := "DELETE /v1/ipam/ip HTTP/1.0\r\nHost: spiderpool-agent\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := string(request(methodGet, PathHealthy, nil)); got != "GET /v1/ipam/healthy HTTP/1.0\r\nHost: spiderpool-agent\r\n\r\n" {
		t.Errorf("GET: got %q", got)
	}
}

// FuzzParseResponse: any bytes give a status in range and a body that is
// a part of the input, or an error; nothing panics.
func FuzzParseResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
	f.Add([]byte("HTTP/1.0 500 Internal Server Error\r\n\r\noops"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n"))
	f.Add([]byte("\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		status, body, err := parseResponse(raw)
		if err != nil {
			return
		}
		if status < 100 || status > 999 {
			t.Errorf("status %d out of range", status)
		}
		if !bytes.Contains(raw, body) {
			t.Errorf("body %q is not in the input", body)
		}
	})
}
