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
	// A process gone already has no start time: its executable decides then.
	started, _ := startTime(pid)
	if err := os.WriteFile(p.pidFile(name), []byte(strconv.Itoa(pid)+"\n"+bin+"\n"+started+"\n"), 0o644); err != nil {
		return fmt.Errorf("record pid of %s: %w", name, err)
	}
	return nil
}

// running reports the PID of name if that process is still the one we
// started, so a recycled PID is never signalled: same start time (kept
// across an exec, so a wrapper script that execs the binary is still
// ours), or, for a pid file without one, same executable.
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
	if len(fields) > 2 && fields[2] != "" {
		started, ok := startTime(pid)
		return pid, ok && started == fields[2] && !isZombie(pid)
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

// startTime returns when pid started (field 22 of /proc/<pid>/stat, clock
// ticks since boot): with the PID it names one process for good.
func startTime(pid int) (string, bool) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", false
	}
	end := bytes.LastIndexByte(stat, ')') // the command name may hold spaces and parentheses
	if end < 0 {
		return "", false
	}
	fields := strings.Fields(string(stat[end+1:])) // from field 3, the state
	if len(fields) < 20 {
		return "", false
	}
	return fields[19], true
}

func isZombie(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	_, rest, ok := bytes.Cut(stat, []byte(") "))
	return ok && len(rest) > 0 && rest[0] == 'Z'
}
