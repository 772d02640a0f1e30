// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
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
