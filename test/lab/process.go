// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// processes starts lab processes detached from the caller (they outlive
// "spiderlab up") and stops them by the PID recorded at start.
type processes struct{ dir string }

func (p processes) pidFile(name string) string { return filepath.Join(p.dir, "pids", name+".pid") }

// LogFile is where a lab process writes its stdout and stderr.
func (p processes) LogFile(name string) string { return filepath.Join(p.dir, "logs", name+".log") }

// start runs bin with args in its own session, logs to LogFile(name) and
// records the PID.
func (p processes) start(name, bin string, args ...string) error {
	return p.startEnv(name, nil, bin, args...)
}

// startEnv is start with extra environment variables.
func (p processes) startEnv(name string, env []string, bin string, args ...string) error {
	for _, d := range []string{"pids", "logs"} {
		if err := os.MkdirAll(filepath.Join(p.dir, d), 0o755); err != nil {
			return fmt.Errorf("create %s dir: %w", d, err)
		}
	}
	logf, err := os.OpenFile(p.LogFile(name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open log of %s: %w", name, err)
	}
	// The child has its own copy of the descriptor once started; closing
	// ours can fail only in ways that do not concern the child.
	defer func() { _ = logf.Close() }()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	pid := cmd.Process.Pid
	go cmd.Wait() //nolint:errcheck // reaps the child if the starter lives on; exit status is in its log
	if err := os.WriteFile(p.pidFile(name), []byte(strconv.Itoa(pid)+"\n"+bin+"\n"), 0o644); err != nil {
		return fmt.Errorf("record pid of %s: %w", name, err)
	}
	return nil
}

// running reports the PID of name if that process is still the one we
// started (same executable), so a recycled PID is never signalled.
func (p processes) running(name string) (int, bool) {
	data, err := os.ReadFile(p.pidFile(name))
	if err != nil {
		return 0, false
	}
	fields := strings.Split(strings.TrimSpace(string(data)), "\n")
	pid, err := strconv.Atoi(fields[0])
	if err != nil || len(fields) < 2 {
		return 0, false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return 0, false
	}
	argv0, _, _ := bytes.Cut(cmdline, []byte{0})
	if string(argv0) != fields[1] || isZombie(pid) {
		return 0, false
	}
	return pid, true
}

// stop sends SIGTERM, waits up to grace, then SIGKILL, and forgets the PID.
func (p processes) stop(name string, grace time.Duration) (err error) {
	defer func() { err = errors.Join(err, p.forget(name)) }()
	pid, ok := p.running(name)
	if !ok {
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal %s (pid %d): %w", name, pid, err)
	}
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if _, alive := p.running(name); !alive {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill %s (pid %d): %w", name, pid, err)
	}
	for i := 0; i < 100; i++ {
		if _, alive := p.running(name); !alive {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s (pid %d) still alive after SIGKILL", name, pid)
}

// forget removes the pid file of name; a missing one is already forgotten.
func (p processes) forget(name string) error {
	if err := os.Remove(p.pidFile(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("forget the pid of %s: %w", name, err)
	}
	return nil
}

// names lists the processes that have a pid file.
func (p processes) names() []string {
	files, _ := filepath.Glob(filepath.Join(p.dir, "pids", "*.pid"))
	out := make([]string, 0, len(files))
	for _, f := range files {
		out = append(out, strings.TrimSuffix(filepath.Base(f), ".pid"))
	}
	return out
}

func isZombie(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	_, rest, ok := bytes.Cut(stat, []byte(") "))
	return ok && len(rest) > 0 && rest[0] == 'Z'
}
