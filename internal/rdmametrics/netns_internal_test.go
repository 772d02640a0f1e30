// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/vishvananda/netns"
)

// TestReadInNetnsVanished: a netns deleted before the read, or a leftover
// file that is no longer a netns mount, is ErrNetnsGone, which the scan
// skips silently. Needs no RDMA device: the read fails before netlink.
func TestReadInNetnsVanished(t *testing.T) {
	dir := t.TempDir()
	leftover := filepath.Join(dir, "cni-leftover")
	if err := os.WriteFile(leftover, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "cni-deleted"), leftover} {
		if _, err := readInNetns(context.Background(), path); !errors.Is(err, ErrNetnsGone) {
			t.Errorf("readInNetns(%s) = %v, want ErrNetnsGone", path, err)
		}
	}
}

// TestCandidatesPruneBook: the scan lists the netns directories and the
// book's paths, and drops book entries whose file is gone.
func TestCandidatesPruneBook(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"cni-a", "cni-b"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	book := &PodBook{}
	book.Add(filepath.Join(dir, "cni-a"), Pod{Namespace: "ai", Name: "a"})
	book.Add(filepath.Join(dir, "cni-gone"), Pod{Namespace: "ai", Name: "gone"})
	s := &Scanner{Dirs: []string{dir, filepath.Join(dir, "missing")}, Pods: book}
	got := s.candidates()
	if len(got) != 3 {
		t.Errorf("candidates = %v, want cni-a, cni-b and cni-a again from the book", got)
	}
	if paths := book.Paths(); len(paths) != 1 || paths[0] != filepath.Join(dir, "cni-a") {
		t.Errorf("book = %v, want only cni-a", paths)
	}
	if targets := Targets(got, NetnsID{}, book.Entries()); len(targets) != 2 || targets[0].Pod == nil || targets[0].Pod.Name != "a" {
		t.Errorf("targets = %+v, want cni-a of pod a and cni-b", targets)
	}
}

// TestReadInNetnsEnters: a real netns is entered and left: the read gets
// as far as RDMA netlink there (which this machine may lack) and the
// agent's threads stay in their own netns. Needs root.
func TestReadInNetnsEnters(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("creating a network namespace needs root")
	}
	name := fmt.Sprintf("rdmametrics-test-%d", os.Getpid())
	path := filepath.Join("/var/run/netns", name)
	if err := newNamedNetns(name); err != nil {
		t.Skipf("cannot create netns %s: %v", name, err)
	}
	t.Cleanup(func() { _ = netns.DeleteNamed(name) })
	before, err := netnsID("/proc/thread-self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	devs, err := readInNetns(context.Background(), path)
	switch {
	case err != nil && !Unsupported(err):
		t.Fatalf("readInNetns(%s) = %v", path, err)
	case err == nil && len(devs) != 0:
		t.Errorf("a new netns holds RDMA devices %v", devs)
	}
	if after, _ := netnsID("/proc/thread-self/ns/net"); after != before {
		t.Errorf("the test thread moved from netns %v to %v", before, after)
	}
}

// newNamedNetns creates the netns /var/run/netns/<name> on a locked thread
// and returns the thread to its netns.
func newNamedNetns(name string) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		return err
	}
	defer func() { _ = orig.Close() }()
	created, err := netns.NewNamed(name)
	if err != nil {
		return err
	}
	_ = created.Close()
	return netns.Set(orig)
}
