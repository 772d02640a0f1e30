// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package httpserve_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/spiderpool-go/spiderpool/internal/httpserve"
)

var hello = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	_, _ = io.WriteString(w, "hello")
})

// TestServeStopsWithContext: the handler answers, and Serve returns nil
// and closes the listener once the context ends.
func TestServeStopsWithContext(t *testing.T) {
	l := listen(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- httpserve.Serve(ctx, l, hello) }()
	if body := get(t, "http://"+l.Addr().String()+"/any"); body != "hello" {
		t.Errorf("GET = %q, want %q", body, "hello")
	}
	cancel()
	if err := waitFor(t, done); err != nil {
		t.Errorf("Serve() = %v after the context ended, want nil", err)
	}
	if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
		t.Error("the listener still accepts after Serve returned")
	}
}

// TestServeWaitsForRequestsInFlight: a request under way when the context
// ends still gets its answer, and Serve returns after it.
func TestServeWaitsForRequestsInFlight(t *testing.T) {
	l := listen(t)
	started, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "late")
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- httpserve.Serve(ctx, l, slow) }()
	answer := make(chan string, 1)
	go func() { answer <- get(t, "http://"+l.Addr().String()+"/") }()
	<-started
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Serve() = %v before the request in flight finished", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if body := <-answer; body != "late" {
		t.Errorf("GET = %q, want %q", body, "late")
	}
	if err := waitFor(t, done); err != nil {
		t.Errorf("Serve() = %v, want nil", err)
	}
}

// TestServeEndedContext: a context that has already ended stops the
// server at once.
func TestServeEndedContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	done := make(chan error, 1)
	go func() { done <- httpserve.Serve(ctx, listen(t), hello) }()
	if err := waitFor(t, done); err != nil {
		t.Errorf("Serve() = %v, want nil", err)
	}
}

// TestListenAndServeListenError: the address in use is reported as such.
func TestListenAndServeListenError(t *testing.T) {
	taken := listen(t)
	err := httpserve.ListenAndServe(t.Context(), taken.Addr().String(), hello)
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("ListenAndServe() = %v, want EADDRINUSE", err)
	}
}

// TestListenAndServe: the handler answers on addr until the context ends.
func TestListenAndServe(t *testing.T) {
	l := listen(t)
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- httpserve.ListenAndServe(ctx, addr, hello) }()
	if body := get(t, "http://"+addr+"/"); body != "hello" {
		t.Errorf("GET = %q, want %q", body, "hello")
	}
	cancel()
	if err := waitFor(t, done); err != nil {
		t.Errorf("ListenAndServe() = %v, want nil", err)
	}
}

// TestServeFailureLeavesNoGoroutine: when serving fails while the context
// is still live, Serve returns the error and leaves nothing running. The
// copies it replaced each left a goroutine waiting for the context.
func TestServeFailureLeavesNoGoroutine(t *testing.T) {
	const calls = 50
	before := runtime.NumGoroutine()
	for range calls {
		err := httpserve.Serve(t.Context(), failingListener{}, hello)
		if !errors.Is(err, errAccept) {
			t.Fatalf("Serve() = %v, want %v", err, errAccept)
		}
	}
	after := runtime.NumGoroutine()
	for deadline := time.Now().Add(2 * time.Second); after > before && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		after = runtime.NumGoroutine()
	}
	if after > before {
		t.Errorf("%d goroutines after %d failed calls, %d before", after, calls, before)
	}
}

var errAccept = errors.New("accept failed")

// failingListener fails every Accept with a permanent error.
type failingListener struct{}

func (failingListener) Accept() (net.Conn, error) { return nil, errAccept }
func (failingListener) Close() error              { return nil }
func (failingListener) Addr() net.Addr            { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// get GETs url until the server answers, and returns the body.
func get(t *testing.T, url string) string {
	t.Helper()
	var lastErr error
	for range 100 {
		resp, err := http.Get(url) //nolint:noctx // a test against a local server
		if err == nil {
			b, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil {
				return string(b)
			}
			err = rerr
		}
		lastErr = err
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("GET %s: %v", url, lastErr)
	return ""
}

func waitFor(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(httpserve.ShutdownTimeout + 5*time.Second):
		t.Fatal("Serve did not return")
		return nil
	}
}
