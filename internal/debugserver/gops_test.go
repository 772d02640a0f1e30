// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package debugserver

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"testing"

	"github.com/google/pprof/profile"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// TestGopsServesProfiles starts the real gops agent and reads a heap
// profile back through the client half, as the benchmarks do.
func TestGopsServesProfiles(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	port := freePort(t)
	StartGops(ctx, port)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	data, err := HeapProfile(t.Context(), addr)
	if err != nil {
		t.Fatalf("heap profile: %v", err)
	}
	p, err := profile.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the reply is not a pprof profile: %v", err)
	}
	if len(p.SampleType) == 0 {
		t.Fatal("profile has no sample types")
	}
	cancel()
	// Close runs when ctx ends; the port is then free again.
	for range 100 {
		if _, err := HeapProfile(t.Context(), addr); err != nil {
			return
		}
	}
	t.Fatal("gops agent still answering after its context ended")
}

func TestStartGopsPortZeroIsOff(t *testing.T) {
	StartGops(t.Context(), 0) // must neither listen nor panic
}

func TestClientErrorsNameTheAddress(t *testing.T) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
	_, err := HeapProfile(t.Context(), addr)
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte(addr)) {
		t.Fatalf("want an error naming %s, got %v", addr, err)
	}
}
