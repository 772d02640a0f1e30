// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package plugininstall

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sleepVersions writes two versions of a working executable into a source
// dir as "plugin": /bin/sleep, and /bin/sleep with bytes appended (an ELF
// file ignores trailing bytes). It returns the dirs and both contents.
func sleepVersions(t *testing.T) (src, dst string, v1, v2 []byte) {
	t.Helper()
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skipf("no sleep binary: %v", err)
	}
	v1, err = os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	v2 = append(append([]byte{}, v1...), []byte("plugininstall v2")...)
	src, dst = tree(t, map[string]string{"plugin": string(v1)})
	return src, dst, v1, v2
}

func writeSource(t *testing.T, src string, content []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(src, "plugin"), content, 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestInstallReplacesRunningBinary: while a process executes the installed
// plugin, writing into the file fails with ETXTBSY, but Install replaces
// it: the process keeps running the old inode and the next exec runs the
// new binary.
func TestInstallReplacesRunningBinary(t *testing.T) {
	src, dst, _, v2 := sleepVersions(t)
	target := filepath.Join(dst, "plugin")
	if _, err := Install(src, dst, []string{"plugin"}); err != nil {
		t.Fatal(err)
	}
	running := exec.Command(target, "60")
	if err := running.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = running.Process.Kill(); _ = running.Wait() })

	if f, err := os.OpenFile(target, os.O_WRONLY|os.O_TRUNC, 0); !errors.Is(err, syscall.ETXTBSY) {
		if err == nil {
			_ = f.Close()
		}
		t.Fatalf("writing into the running binary: %v, want ETXTBSY (the test's premise)", err)
	}

	writeSource(t, src, v2)
	res, err := Install(src, dst, []string{"plugin"})
	if err != nil || res[0].Action != Updated {
		t.Fatalf("install over the running binary: %v, %v", res, err)
	}
	if err := running.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the process running the old binary died: %v", err)
	}
	exe, err := os.Readlink("/proc/" + strconv.Itoa(running.Process.Pid) + "/exe")
	if err != nil || !strings.HasSuffix(exe, "(deleted)") {
		t.Errorf("the running process's binary = %q, %v; want the replaced inode (deleted)", exe, err)
	}
	if out, err := exec.Command(target, "0").CombinedOutput(); err != nil {
		t.Fatalf("exec of the new binary: %v: %s", err, out)
	}
	got, _ := os.ReadFile(target)
	if string(got) != string(v2) {
		t.Error("the target does not hold the new binary")
	}
}

// TestInstallWhileExecuting: a separate process executes the plugin in a
// loop while it is replaced back and forth; every exec succeeds, so no exec
// ever saw a partial file or a file open for writing.
func TestInstallWhileExecuting(t *testing.T) {
	src, dst, v1, v2 := sleepVersions(t)
	target := filepath.Join(dst, "plugin")
	if _, err := Install(src, dst, []string{"plugin"}); err != nil {
		t.Fatal(err)
	}
	// The loop is its own process: a child forked by this test process
	// could inherit the temporary file's descriptor for a moment and make
	// an exec fail with ETXTBSY (golang/go#22315), which a runtime execing
	// plugins never shares with the agent.
	tmp := t.TempDir()
	started, stop := filepath.Join(tmp, "started"), filepath.Join(tmp, "stop")
	loop := exec.Command("sh", "-c", `n=0; while [ ! -e "$1" ]; do "$0" 0 || exit 1; n=$((n+1)); : >"$2"; done; echo $n`, target, stop, started)
	var out strings.Builder
	loop.Stdout, loop.Stderr = &out, &out
	if err := loop.Start(); err != nil {
		t.Fatal(err)
	}
	waitFile(t, started)
	for i := range 40 {
		content := v1
		if i%2 == 0 {
			content = v2
		}
		writeSource(t, src, content)
		if res, err := Install(src, dst, []string{"plugin"}); err != nil || res[0].Action != Updated {
			t.Fatalf("install %d: %v, %v", i, res, err)
		}
	}
	if err := os.WriteFile(stop, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := loop.Wait(); err != nil {
		t.Fatalf("an exec of the plugin failed while it was replaced: %v: %s", err, out.String())
	}
	t.Logf("execs during 40 replacements: %s", strings.TrimSpace(out.String()))
	assertNoTemp(t, dst)
}

// waitFile waits until path exists.
func waitFile(t *testing.T, path string) {
	t.Helper()
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
