// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package debugserver

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/go-logr/logr"
	"github.com/google/gops/agent"
)

// StartGops serves the gops agent on 127.0.0.1:port until ctx ends; port 0
// turns it off. A port already in use is logged, not fatal: a debugging aid
// must not stop the IPAM. The gops agent is one per process, so only the
// binaries' commands call this, never a library entry point.
func StartGops(ctx context.Context, port int) {
	if port <= 0 {
		return
	}
	log := logr.FromContextOrDiscard(ctx)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := agent.Listen(agent.Options{Addr: addr}); err != nil {
		log.Error(fmt.Errorf("gops agent on %s: %w", addr, err), "gops agent not started; profiles are not available")
		return
	}
	log.V(1).Info("gops agent listening", "addr", addr)
	go func() {
		<-ctx.Done()
		agent.Close()
	}()
}
