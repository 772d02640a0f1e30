// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Command spiderlab runs the local lab cluster (see test/lab).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spiderpool-go/spiderpool/test/lab/labcli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := labcli.NewCommand().ExecuteContext(ctx); err != nil {
		os.Exit(1)
	}
}
