// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Command spiderpool-agent is the node daemon that serves IPAM to the
// spiderpool CNI plugin (see internal/agent).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spiderpool-go/spiderpool/internal/agent"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := agent.NewCommand().ExecuteContext(ctx); err != nil {
		os.Exit(1)
	}
}
