// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Command spiderpoolctl inspects and repairs Spiderpool's IP allocation
// records: pool list, ip show, pod show, check and ip release. The commands
// live in internal/ctl.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spiderpool-go/spiderpool/internal/ctl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := ctl.Main(ctx, os.Args[1:], ctl.Env{Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}
