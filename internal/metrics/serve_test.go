// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package metrics_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/spiderpool-go/spiderpool/internal/metrics"
)

// TestServeEveryPath: the exposition answers on /metrics and on any other
// path, as Spiderpool's, and the server stops with its context.
func TestServeEveryPath(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, err := metrics.NewAgent(reg)
	if err != nil {
		t.Fatal(err)
	}
	a.ObserveAllocation(time.Second, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- metrics.Serve(ctx, addr, reg) }()
	for _, path := range []string{"/metrics", "/", "/anything"} {
		body := getEventually(t, "http://"+addr+path)
		if !strings.Contains(body, "spiderpool_ipam_allocation_counts_total 1") {
			t.Errorf("GET %s: no allocation count in\n%s", path, body)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve() = %v after the context ended", err)
	}
}

func TestServeBadAddress(t *testing.T) {
	if err := metrics.Serve(t.Context(), "256.0.0.1:1", prometheus.NewRegistry()); err == nil {
		t.Error("Serve() accepted an impossible address")
	}
}

// getEventually GETs url until the server answers.
func getEventually(t *testing.T, url string) string {
	t.Helper()
	var lastErr error
	for range 100 {
		resp, err := http.Get(url) //nolint:noctx // a test against a local server
		if err == nil {
			b, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil && resp.StatusCode == http.StatusOK {
				return string(b)
			}
			lastErr = rerr
		} else {
			lastErr = err
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("GET %s: %v", url, lastErr)
	return ""
}
