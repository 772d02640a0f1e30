// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

// shHook is a postStart hook running script with sh; $0 and $1 are marker
// and gate: the script may create the one and wait for the other.
func shHook(t *testing.T, script string) (h *hookSpec, marker, gate string) {
	t.Helper()
	dir := t.TempDir()
	marker, gate = filepath.Join(dir, "marker"), filepath.Join(dir, "gate")
	return &hookSpec{path: "/bin/sh", args: []string{"-c", script, marker, gate}}, marker, gate
}

// gatedHook creates the marker, waits for the gate, then exits code.
const gatedHook = `: >"$0"; while [ ! -e "$1" ]; do :; done; exit %s`

func waitFile(t *testing.T, path string) {
	t.Helper()
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestPostStartHookGatesRunning: the container is reported running (and
// ready) only once its postStart hook succeeded, as kubelet does.
func TestPostStartHookGatesRunning(t *testing.T) {
	spec := childSpec(t, "stubborn", corev1.RestartPolicyAlways)
	var marker, gate string
	spec.postStart, marker, gate = shHook(t, strings.Replace(gatedHook, "%s", "0", 1))
	c, _ := startContainer(t, spec)
	waitFile(t, marker)
	if s := c.snapshot(); s.running || s.ready {
		t.Fatalf("state %+v while the postStart hook runs; want not running", s)
	}
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	waitState(t, c, "running and ready", func(s containerState) bool { return s.running && s.ready })
}

// TestPostStartHookFailureKills: a failing hook kills the container, and
// the log says why.
func TestPostStartHookFailureKills(t *testing.T) {
	spec := childSpec(t, "stubborn", corev1.RestartPolicyNever)
	spec.postStart, _, _ = shHook(t, "exit 3")
	c, _ := startContainer(t, spec)
	s := waitState(t, c, "exited", func(s containerState) bool { return s.exited })
	if s.exitCode != 128+int(syscall.SIGKILL) || !s.startedAt.IsZero() {
		t.Errorf("state %+v; want killed by SIGKILL, never reported running", s)
	}
	log, _ := os.ReadFile(spec.log)
	if !strings.Contains(string(log), "postStart hook /bin/sh: exit status 3") {
		t.Errorf("log %q does not say the hook failed", log)
	}
}

// TestPostStartHookStoppedWithContainer: terminating a container whose
// hook still runs ends both.
func TestPostStartHookStoppedWithContainer(t *testing.T) {
	spec := childSpec(t, "stubborn", corev1.RestartPolicyAlways)
	var marker string
	spec.postStart, marker, _ = shHook(t, strings.Replace(gatedHook, "%s", "0", 1))
	c, _ := startContainer(t, spec)
	waitFile(t, marker)
	c.terminate(t.Context(), 100*time.Millisecond)
	if s := c.snapshot(); s.running || !s.exited {
		t.Errorf("state %+v; want exited", s)
	}
}

// TestPostStartHookFromPod: an exec postStart hook naming a HostBinDir
// binary runs that binary with its paths translated; others are not run.
func TestPostStartHookFromPod(t *testing.T) {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "spiderpool-agent"), []byte("#!/bin/true\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &podRunner{cfg: Config{HostBinDir: bin}}
	paths := newPathMap([]mount{{containerPath: "/host/opt/cni/bin", hostPath: "/run/splab/n1/opt/cni/bin"}})
	hook := func(command ...string) *corev1.Container {
		return &corev1.Container{Lifecycle: &corev1.Lifecycle{PostStart: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: command}}}}
	}
	got := r.postStartHook(hook("/usr/bin/spiderpool-agent", "install-plugins", "--cni-bin-dir=/host/opt/cni/bin"), paths)
	want := &hookSpec{path: filepath.Join(bin, "spiderpool-agent"), args: []string{"install-plugins", "--cni-bin-dir=/run/splab/n1/opt/cni/bin"}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(hookSpec{})); diff != "" {
		t.Errorf("hook (-want +got):\n%s", diff)
	}
	for name, c := range map[string]*corev1.Container{
		"shell": hook("/bin/sh", "-c", "cp a b"), "none": {}, "empty": hook(),
		"httpGet": {Lifecycle: &corev1.Lifecycle{PostStart: &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/"}}}},
	} {
		if h := r.postStartHook(c, paths); h != nil {
			t.Errorf("%s: hook %+v; want none", name, h)
		}
	}
}
