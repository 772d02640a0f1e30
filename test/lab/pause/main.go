// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Command pause is the lab kubelet node's pod sandbox process: it sleeps
// until SIGTERM or SIGINT and reaps the children it inherits as PID 1 of
// the pod's PID namespace. It is built statically and packed into the
// sandbox image the lab imports into containerd (no registry is reachable).
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			return
		}
		reap()
	}
}

// reap collects every exited child without blocking.
func reap() {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
