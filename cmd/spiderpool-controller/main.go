// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Command spiderpool-controller runs Spiderpool's admission webhooks and its
// leader-elected controllers (see internal/controller).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spiderpool-go/spiderpool/internal/controller"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := controller.NewCommand().ExecuteContext(ctx); err != nil {
		os.Exit(1)
	}
}
