// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// containerSpec is how one container runs as a host process.
type containerSpec struct {
	name string
	path string
	args []string
	env  []string
	log  string
	// probe is the readiness URL; empty means ready once started.
	probe       string
	probePeriod time.Duration
	restart     corev1.RestartPolicy
	// postStart is run once the process started (hook.go).
	postStart *hookSpec
}

// containerState is what the simulator reports of a container.
type containerState struct {
	running    bool
	ready      bool
	exited     bool // exited and will not be restarted
	exitCode   int
	restarts   int32
	startedAt  time.Time
	finishedAt time.Time
	lastExit   *int // exit code of the previous run, if any
}

// container supervises one container's process: restarts it as its pod's
// restart policy says, with exponential backoff, and polls its readiness.
type container struct {
	spec    containerSpec
	spawn   *spawner
	notify  func()
	backoff func(restarts int32) time.Duration

	mu    sync.Mutex
	state containerState
	proc  *os.Process
	// live: proc is started and not yet reaped (it may be running its
	// postStart hook, before state.running).
	live     bool
	stopping bool
	stop     chan struct{}
	done     chan struct{}
}

func newContainer(spec containerSpec, spawn *spawner, restarts int32, notify func()) *container {
	return &container{
		spec: spec, spawn: spawn, notify: notify, backoff: restartBackoff,
		state: containerState{restarts: restarts},
		stop:  make(chan struct{}), done: make(chan struct{}),
	}
}

// restartBackoff is 1 s doubling up to 30 s: kubelet's 10 s to 5 min,
// shortened for a lab whose processes wait for each other at start.
func restartBackoff(restarts int32) time.Duration {
	d := time.Second
	for i := int32(0); i < restarts && d < 30*time.Second; i++ {
		d *= 2
	}
	return min(d, 30*time.Second)
}

// snapshot returns the current state.
func (c *container) snapshot() containerState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// run runs the process until it is stopped or exits for good.
func (c *container) run() {
	defer close(c.done)
	if c.spec.probe != "" {
		go c.probeLoop()
	}
	for {
		code := c.runOnce()
		c.mu.Lock()
		final := c.stopping || c.spec.restart == corev1.RestartPolicyNever ||
			(c.spec.restart == corev1.RestartPolicyOnFailure && code == 0)
		c.state.running, c.state.ready, c.state.exitCode, c.state.finishedAt = false, false, code, time.Now()
		c.state.lastExit, c.state.exited = &code, final
		if !final {
			c.state.restarts++
		}
		restarts := c.state.restarts
		c.mu.Unlock()
		c.notify()
		if final {
			return
		}
		select {
		case <-c.stop:
			return
		case <-time.After(c.backoff(restarts - 1)):
		}
	}
}

// runOnce starts the process and waits for it; the result is its exit code
// (128+signal if killed, 127 if it could not start).
func (c *container) runOnce() int {
	logf, err := os.OpenFile(c.spec.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 127
	}
	defer func() { _ = logf.Close() }() // the child has its own descriptor
	cmd := exec.Command(c.spec.path, c.spec.args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = c.spec.env, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.mu.Lock()
	if c.stopping {
		c.mu.Unlock()
		return 0
	}
	err = c.spawn.start(cmd)
	if err != nil {
		c.mu.Unlock()
		_, _ = fmt.Fprintf(logf, "nodesim: start %s: %v\n", c.spec.path, err) // best effort, into the pod's log
		return 127
	}
	c.proc, c.live = cmd.Process, true
	c.mu.Unlock()
	if err := c.postStart(logf); err != nil {
		_, _ = fmt.Fprintf(logf, "nodesim: %s: %v: killing the container\n", c.spec.name, err) // best effort, into the pod's log
		c.mu.Lock()
		c.signal(syscall.SIGKILL)
		c.mu.Unlock()
		return c.wait(cmd)
	}
	c.mu.Lock()
	if !c.stopping {
		c.state.running, c.state.startedAt = true, time.Now()
		c.state.ready = c.spec.probe == ""
	}
	c.mu.Unlock()
	c.notify()
	return c.wait(cmd)
}

// wait reaps the process and returns its exit code.
func (c *container) wait(cmd *exec.Cmd) int {
	code := exitCode(cmd.Wait())
	c.mu.Lock()
	c.live = false
	c.mu.Unlock()
	return code
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return 1
}

// terminate sends SIGTERM to the process group, waits up to grace for the
// supervisor to end, then sends SIGKILL and waits for it.
func (c *container) terminate(ctx context.Context, grace time.Duration) {
	c.mu.Lock()
	if !c.stopping {
		c.stopping = true
		close(c.stop)
	}
	c.signal(syscall.SIGTERM)
	c.mu.Unlock()
	select {
	case <-c.done:
		return
	case <-time.After(grace):
	case <-ctx.Done():
	}
	c.mu.Lock()
	c.signal(syscall.SIGKILL)
	c.mu.Unlock()
	<-c.done
}

// signal sends sig to the running process group; c.mu is held.
func (c *container) signal(sig syscall.Signal) {
	if c.proc == nil || !c.live {
		return
	}
	// ESRCH: the process just exited, which is what we want.
	_ = syscall.Kill(-c.proc.Pid, sig)
}
