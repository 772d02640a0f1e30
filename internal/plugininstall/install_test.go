// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package plugininstall

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tree makes a source dir holding plugins (name → content) and an empty
// destination dir.
func tree(t *testing.T, plugins map[string]string) (src, dst string) {
	t.Helper()
	src, dst = filepath.Join(t.TempDir(), "src"), filepath.Join(t.TempDir(), "dst")
	for _, d := range []string{src, dst} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range plugins {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return src, dst
}

func assertFile(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("%s = %q, %v; want %q", path, got, err, want)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != Mode {
		t.Fatalf("%s mode = %v, %v; want %v", path, st.Mode().Perm(), err, Mode)
	}
}

// assertNoTemp fails if a temporary file is left in dir.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left in %s: %s", dir, e.Name())
		}
	}
}

func actions(res []Result) string {
	var parts []string
	for _, r := range res {
		parts = append(parts, r.Name+"="+string(r.Action))
	}
	return strings.Join(parts, ",")
}

// TestInstallActions: a fresh dir gets every plugin (0755), a second run
// changes nothing (same inode, mode repaired), and new content of the same
// size is told apart by its hash and replaces the target by a new inode.
func TestInstallActions(t *testing.T) {
	src, dst := tree(t, map[string]string{"spiderpool": "v1-ipam", "coordinator": "v1-coord"})
	names := []string{"spiderpool", "coordinator"}
	res, err := Install(src, dst, names)
	if err != nil || actions(res) != "spiderpool=installed,coordinator=installed" {
		t.Fatalf("first install: %v, %v", actions(res), err)
	}
	assertFile(t, filepath.Join(dst, "spiderpool"), "v1-ipam")
	assertFile(t, filepath.Join(dst, "coordinator"), "v1-coord")
	before, _ := os.Stat(filepath.Join(dst, "spiderpool"))
	if err := os.Chmod(filepath.Join(dst, "coordinator"), 0o644); err != nil {
		t.Fatal(err)
	}

	res, err = Install(src, dst, names)
	if err != nil || actions(res) != "spiderpool=unchanged,coordinator=unchanged" {
		t.Fatalf("second install: %v, %v", actions(res), err)
	}
	assertFile(t, filepath.Join(dst, "coordinator"), "v1-coord")
	if after, _ := os.Stat(filepath.Join(dst, "spiderpool")); !os.SameFile(before, after) {
		t.Error("an unchanged plugin was rewritten")
	}

	if err := os.WriteFile(filepath.Join(src, "spiderpool"), []byte("v2-ipam"), 0o755); err != nil {
		t.Fatal(err)
	}
	res, err = Install(src, dst, names)
	if err != nil || actions(res) != "spiderpool=updated,coordinator=unchanged" {
		t.Fatalf("third install: %v, %v", actions(res), err)
	}
	assertFile(t, filepath.Join(dst, "spiderpool"), "v2-ipam")
	if after, _ := os.Stat(filepath.Join(dst, "spiderpool")); os.SameFile(before, after) {
		t.Error("an updated plugin kept its inode: it was written in place")
	}
	if res[0].Size != 7 || res[0].Path != filepath.Join(dst, "spiderpool") {
		t.Errorf("result = %+v", res[0])
	}
	assertNoTemp(t, dst)
}

// TestInstallErrors: errors name the plugin, the dir and the fix, and the
// plugins done before a failure are reported.
func TestInstallErrors(t *testing.T) {
	src, dst := tree(t, map[string]string{"spiderpool": "ipam"})
	res, err := Install(src, dst, []string{"spiderpool", "ifacer"})
	if err == nil || len(res) != 1 || res[0].Action != Installed {
		t.Fatalf("missing source: %v, %v", res, err)
	}
	for _, want := range []string{"plugin ifacer", filepath.Join(src, "ifacer"), "--src-dir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing source: error %q does not name %q", err, want)
		}
	}
	_, err = Install(src, filepath.Join(dst, "none"), []string{"spiderpool"})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dst, "none")) || !strings.Contains(err.Error(), "cniBinHostPath") {
		t.Errorf("missing destination: %v", err)
	}
	for _, name := range []string{"", "..", "a/b", "x*"} {
		if _, err := Install(src, dst, []string{name}); err == nil {
			t.Errorf("name %q: no error", name)
		}
	}
	if err := os.Mkdir(filepath.Join(dst, "coordinator"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "coordinator"), []byte("c"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Install(src, dst, []string{"coordinator"}); err == nil || !strings.Contains(err.Error(), "remove a directory") {
		t.Errorf("directory in the way: %v", err)
	}
	assertNoTemp(t, dst)
}

// errAfter writes n bytes, then fails: a disk that fills up mid-copy.
type errAfter struct{ n int64 }

var errDiskFull = errors.New("no space left on device (injected)")

func (e errAfter) copy(dst io.Writer, src io.Reader) (int64, error) {
	n, err := io.CopyN(dst, src, e.n)
	if err != nil {
		return n, err
	}
	return n, errDiskFull
}

// TestInstallFailsMidCopy: a copy that fails half-way leaves the old target
// as it was and no temporary file.
func TestInstallFailsMidCopy(t *testing.T) {
	newContent := strings.Repeat("new", 1000)
	src, dst := tree(t, map[string]string{"spiderpool": newContent})
	if err := os.WriteFile(filepath.Join(dst, "spiderpool"), []byte("old"), 0o755); err != nil {
		t.Fatal(err)
	}
	in := installer{copy: errAfter{n: int64(len(newContent) / 2)}.copy}
	_, err := in.install(src, dst, []string{"spiderpool"})
	if !errors.Is(err, errDiskFull) || !strings.Contains(err.Error(), "free space of "+dst) {
		t.Fatalf("error = %v, want the injected failure naming %s", err, dst)
	}
	assertFile(t, filepath.Join(dst, "spiderpool"), "old")
	assertNoTemp(t, dst)

	in = installer{copy: errAfter{n: 10}.copy}
	if _, err := in.install(src, dst, []string{"coordinator", "spiderpool"}); err == nil {
		t.Fatal("missing source: no error")
	}
	if _, err := os.Stat(filepath.Join(dst, "coordinator")); err == nil {
		t.Error("a plugin without a source was created")
	}
	assertNoTemp(t, dst)
}

// TestRemoveStale: a temporary file left by a killed installer is removed
// once it is old; a young one (another installer's, in flight) is kept.
func TestRemoveStale(t *testing.T) {
	src, dst := tree(t, map[string]string{"spiderpool": "ipam"})
	old, young := filepath.Join(dst, ".spiderpool.install-1"), filepath.Join(dst, ".spiderpool.install-2")
	for _, p := range []string{old, young} {
		if err := os.WriteFile(p, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * staleAfter)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	if _, err := Install(src, dst, []string{"spiderpool"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); err == nil {
		t.Error("stale temporary file kept")
	}
	if _, err := os.Stat(young); err != nil {
		t.Errorf("young temporary file removed: %v", err)
	}
}

func TestResultString(t *testing.T) {
	r := Result{Name: "ifacer", Path: "/opt/cni/bin/ifacer", Action: Updated, Size: 3}
	if got := r.String(); !bytes.Equal([]byte(got), []byte("updated /opt/cni/bin/ifacer (3 bytes)")) {
		t.Errorf("String() = %q", got)
	}
}
