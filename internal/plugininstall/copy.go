// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package plugininstall

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// one installs the plugin at src as dstDir/name.
func (in installer) one(src, dstDir, name string) (Result, error) {
	dst := filepath.Join(dstDir, name)
	f, err := os.Open(src)
	if err != nil {
		return Result{}, fmt.Errorf("plugin %s: open source %s: %w: the image must ship it next to spiderpool-agent, or pass --src-dir", name, src, err)
	}
	defer func() { _ = f.Close() }() // read only
	st, err := f.Stat()
	if err != nil {
		return Result{}, fmt.Errorf("plugin %s: stat source %s: %w", name, src, err)
	}
	if !st.Mode().IsRegular() {
		return Result{}, fmt.Errorf("plugin %s: source %s is a %v, not a file: point --src-dir at the plugin binaries", name, src, st.Mode().Type())
	}
	res := Result{Name: name, Path: dst, Action: Installed, Size: st.Size()}
	same, exists, err := sameContent(f, st.Size(), dst)
	if err != nil {
		return Result{}, fmt.Errorf("plugin %s: compare with %s: %w", name, dst, err)
	}
	if same {
		res.Action = Unchanged
		if err := os.Chmod(dst, Mode); err != nil {
			return Result{}, fmt.Errorf("plugin %s: chmod %s in %s: %w: the CNI bin dir must be writable by the agent", name, name, dstDir, err)
		}
		return res, nil
	}
	if exists {
		res.Action = Updated
	}
	removeStale(dstDir, name)
	if err := in.replace(f, dstDir, name); err != nil {
		return Result{}, err
	}
	return res, nil
}

// sameContent reports whether dst exists with src's size and SHA-256; src
// is rewound for the copy.
func sameContent(src *os.File, size int64, dst string) (same, exists bool, err error) {
	st, err := os.Stat(dst)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, false, nil
	case err != nil:
		return false, false, err
	case !st.Mode().IsRegular() || st.Size() != size:
		return false, true, nil
	}
	want, err := digest(src)
	if err != nil {
		return false, true, err
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return false, true, err
	}
	d, err := os.Open(dst)
	if err != nil {
		return false, true, err
	}
	defer func() { _ = d.Close() }() // read only
	got, err := digest(d)
	if err != nil {
		return false, true, err
	}
	return bytes.Equal(want, got), true, nil
}

func digest(r io.Reader) ([]byte, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// tempPattern names the temporary file of plugin name: hidden, so that no
// runtime takes it for a plugin.
func tempPattern(name string) string { return "." + name + ".install-*" }

// replace writes src to a temporary file in dstDir, syncs it, makes it
// executable and renames it over dstDir/name. On failure the temporary file
// is removed and the target is untouched.
func (in installer) replace(src io.Reader, dstDir, name string) (err error) {
	tmp, err := os.CreateTemp(dstDir, tempPattern(name))
	if err != nil {
		return fmt.Errorf("plugin %s: create a temporary file in %s: %w: the CNI bin dir must be writable by the agent", name, dstDir, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()           // may be closed already
			_ = os.Remove(tmp.Name()) // best effort; err says what failed
		}
	}()
	if _, err := in.copy(tmp, src); err != nil {
		return fmt.Errorf("plugin %s: write %s: %w: check the free space of %s", name, tmp.Name(), err, dstDir)
	}
	if err := tmp.Chmod(Mode); err != nil {
		return fmt.Errorf("plugin %s: chmod %s: %w", name, tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("plugin %s: sync %s: %w: check the file system of %s", name, tmp.Name(), err, dstDir)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("plugin %s: close %s: %w", name, tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dstDir, name)); err != nil {
		return fmt.Errorf("plugin %s: rename into %s: %w: remove a directory of that name from %s", name, filepath.Join(dstDir, name), err, dstDir)
	}
	syncDir(dstDir)
	return nil
}

// syncDir makes the rename durable. It is best effort: the rename is done
// and visible, and some file systems cannot sync a directory.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()  // best effort, see above
	_ = d.Close() // read only
}

// removeStale removes temporary files of plugin name older than staleAfter,
// left by an installer that was killed mid-copy. Failures are ignored: a
// leftover is harmless, only untidy.
func removeStale(dstDir, name string) {
	matches, _ := filepath.Glob(filepath.Join(dstDir, tempPattern(name))) // the pattern is valid
	for _, m := range matches {
		if st, err := os.Lstat(m); err == nil && st.Mode().IsRegular() && time.Since(st.ModTime()) > staleAfter {
			_ = os.Remove(m) // best effort, see above
		}
	}
}
