// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// DefaultNetnsTimeout bounds the read of one pod netns.
const DefaultNetnsTimeout = 2 * time.Second

// Scanner reads the RDMA devices of the host netns and, in exclusive netns
// mode, of every pod netns, and turns them into samples.
type Scanner struct {
	// Node is the node_name label.
	Node string
	// Dirs are scanned for netns files; DefaultNetnsDirs when nil.
	Dirs []string
	// Pods gives the pod of the netns paths of the CNI ADDs served; may be
	// nil.
	Pods *PodBook
	// NetnsTimeout bounds the read of one pod netns; DefaultNetnsTimeout
	// when 0.
	NetnsTimeout time.Duration
}

// Scan returns the samples of every namespace it could read; the error
// joins the failures of the others. A node without the RDMA netlink family
// returns no samples and an error for which Unsupported is true.
func (s *Scanner) Scan(ctx context.Context) ([]Sample, error) {
	devs, err := readHost(ctx)
	if err != nil {
		return nil, err
	}
	out := Samples(s.Node, Snapshot{IsRoot: true, Devices: devs})
	mode, err := NetnsMode()
	if err != nil || mode != "exclusive" {
		return out, err
	}
	host, err := netnsID("/proc/self/ns/net")
	if err != nil {
		return out, err
	}
	var errs []error
	for _, t := range Targets(s.candidates(), host, s.book()) {
		tctx, cancel := context.WithTimeout(ctx, cmp.Or(s.NetnsTimeout, DefaultNetnsTimeout))
		devs, err := readInNetns(tctx, t.Path)
		cancel()
		switch {
		case errors.Is(err, ErrNetnsGone):
		case err != nil:
			errs = append(errs, err)
		default:
			out = append(out, Samples(s.Node, Snapshot{Pod: t.Pod, Devices: devs})...)
		}
	}
	return out, errors.Join(errs...)
}

func (s *Scanner) book() map[string]Pod {
	if s.Pods == nil {
		return nil
	}
	return s.Pods.Entries()
}

// candidates lists the netns files of Dirs and of the pod book; book
// entries whose file is gone are dropped from the book.
func (s *Scanner) candidates() []Candidate {
	dirs := s.Dirs
	if dirs == nil {
		dirs = DefaultNetnsDirs
	}
	var paths []string
	for _, dir := range dirs {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	if s.Pods != nil {
		s.Pods.Keep(func(p string) bool { _, err := netnsID(p); return err == nil })
		paths = append(paths, s.Pods.Paths()...)
	}
	var out []Candidate
	for _, p := range paths {
		if id, err := netnsID(p); err == nil {
			out = append(out, Candidate{Path: p, ID: id})
		}
	}
	return out
}

// netnsID stats the netns file at path.
func netnsID(path string) (NetnsID, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return NetnsID{}, fmt.Errorf("stat netns %s: %w", path, err)
	}
	return NetnsID{Dev: uint64(st.Dev), Ino: st.Ino}, nil //nolint:unconvert // Dev is uint32 on some architectures
}
