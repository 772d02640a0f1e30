// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Command spiderpool-init is the Helm post-install Job that creates the
// default SpiderCoordinator, Subnets, IPPools and SpiderMultusConfig (see
// internal/initjob). It is configured by environment variables only.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spiderpool-go/spiderpool/internal/initjob"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := initjob.NewCommand().ExecuteContext(ctx); err != nil {
		os.Exit(1)
	}
}
