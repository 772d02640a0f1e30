// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package debugserver

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/google/gops/signal"
)

// CPUProfileDuration is how long the gops agent samples for one CPU
// profile; the agent fixes it.
const CPUProfileDuration = 30 * time.Second

// CPUProfile asks the gops agent at addr (host:port) for a CPU profile and
// returns it in pprof's format. It blocks for CPUProfileDuration.
func CPUProfile(ctx context.Context, addr string) ([]byte, error) {
	return request(ctx, addr, signal.CPUProfile, CPUProfileDuration+30*time.Second)
}

// HeapProfile asks the gops agent at addr for a heap profile.
func HeapProfile(ctx context.Context, addr string) ([]byte, error) {
	return request(ctx, addr, signal.HeapProfile, 30*time.Second)
}

func request(ctx context.Context, addr string, sig byte, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("gops %s: %w", addr, err)
	}
	defer func() { _ = conn.Close() }()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	if _, err := conn.Write([]byte{sig}); err != nil {
		return nil, fmt.Errorf("gops %s: send request: %w", addr, err)
	}
	out, err := io.ReadAll(conn)
	if err != nil {
		return nil, fmt.Errorf("gops %s: read reply: %w", addr, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("gops %s: empty reply", addr)
	}
	return out, nil
}
