// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	corev1 "k8s.io/api/core/v1"
)

// hookSpec is a postStart exec hook run as a host process.
type hookSpec struct {
	path string
	args []string
}

// postStartHook is c's exec postStart hook when its command names a binary
// of HostBinDir (as spiderpool-agent's "install-plugins" does), its
// arguments translated like the container's; other hooks are not run.
func (r *podRunner) postStartHook(c *corev1.Container, paths pathMap) *hookSpec {
	if c.Lifecycle == nil || c.Lifecycle.PostStart == nil || c.Lifecycle.PostStart.Exec == nil {
		return nil
	}
	command := c.Lifecycle.PostStart.Exec.Command
	bin, ok := r.commandBinary(command)
	if !ok {
		return nil
	}
	h := &hookSpec{path: bin}
	for _, a := range command[1:] {
		h.args = append(h.args, paths.translate(a))
	}
	return h
}

// postStart runs the container's postStart hook, if any, with the
// container's environment, its output in the container's log. As kubelet
// does, the container counts as running only once the hook succeeded, and
// the hook is killed when the container is stopped.
func (c *container) postStart(logf *os.File) error {
	h := c.spec.postStart
	if h == nil {
		return nil
	}
	cmd := exec.Command(h.path, h.args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = c.spec.env, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.spawn.start(cmd); err != nil {
		return fmt.Errorf("start postStart hook %s: %w", h.path, err)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-c.stop:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // ESRCH: it just ended
		case <-done:
		}
	}()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("postStart hook %s: %w", h.path, err)
	}
	return nil
}
