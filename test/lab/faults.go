// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"errors"
	"fmt"
	"syscall"
	"time"
)

// Hooks for fault injection (test/chaos): kill a lab process with SIGKILL,
// as a crash or an OOM kill would, and start a control-plane component
// again on the same data.

// Names of the control-plane processes, for Kill and Running.
const (
	EtcdProcess      = "etcd"
	APIServerProcess = "kube-apiserver"
)

// Kill sends SIGKILL to the lab process name (no grace), waits until it is
// gone and forgets its PID. A process that is not running is no error.
func (l *Lab) Kill(name string) (err error) {
	defer func() { err = errors.Join(err, l.procs.forget(name)) }()
	pid, ok := l.procs.running(name)
	if !ok {
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill %s (pid %d): %w", name, pid, err)
	}
	for range 250 {
		if _, alive := l.procs.running(name); !alive {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s (pid %d) still alive 5s after SIGKILL", name, pid)
}

// IsRunning reports whether the lab process name is alive.
func (l *Lab) IsRunning(name string) bool {
	_, ok := l.procs.running(name)
	return ok
}

// StartEtcd starts etcd on the lab's data dir and ports (again, after Kill)
// and waits until it is healthy.
func (l *Lab) StartEtcd() error { return l.startEtcd() }

// StartAPIServer starts kube-apiserver with the lab's flags (again, after
// Kill) and waits until it is ready; etcd must be reachable by then.
func (l *Lab) StartAPIServer() error { return l.startAPIServer() }

// processServer is the API server URL the agents' and controllers'
// kubeconfigs name: Options.ProcessServer (a proxy in front of the API
// server) or the API server itself.
func (l *Lab) processServer() string {
	if l.ProcessServer != "" {
		return l.ProcessServer
	}
	return l.Server()
}

// ServingCertificate returns the files of the API server's serving pair
// (valid for 127.0.0.1) and of the CA that signed it, for a proxy that
// stands in for the API server.
func (l *Lab) ServingCertificate() (cert, key, ca string) {
	return l.pki.path("serving.crt"), l.pki.path("serving.key"), l.pki.CACert()
}
