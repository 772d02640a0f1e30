// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics

import (
	"path/filepath"
	"sort"
)

// DefaultNetnsDirs are the directories scanned for pod network namespaces
// (Spiderpool's two): where containerd, CRI-O and `ip netns` pin them, and
// where dockerd does. The netns paths of the CNI ADDs the agent served
// (PodBook) are read as well, which covers runtimes that pin elsewhere.
var DefaultNetnsDirs = []string{"/var/run/netns", "/var/run/docker/netns"}

// NetnsID identifies a network namespace file: its device and inode, the
// same for every bind mount of one namespace.
type NetnsID struct{ Dev, Ino uint64 }

// Candidate is a netns file found by the scan.
type Candidate struct {
	Path string
	ID   NetnsID
}

// Target is a netns to read, with its pod when known.
type Target struct {
	Path string
	Pod  *Pod
}

// Targets returns the namespaces to read among found: each namespace once
// (by ID, first path wins), not the host's (host), not a file named
// "default" (the `ip netns` alias of the host netns), labelled with the
// pod the book gives for any of its paths. Sorted by path.
func Targets(found []Candidate, host NetnsID, book map[string]Pod) []Target {
	podByID := map[NetnsID]Pod{}
	for _, c := range found {
		if p, ok := book[c.Path]; ok {
			podByID[c.ID] = p
		}
	}
	seen := map[NetnsID]bool{host: true}
	var out []Target
	for _, c := range found {
		if seen[c.ID] || filepath.Base(c.Path) == "default" {
			continue
		}
		seen[c.ID] = true
		t := Target{Path: c.Path}
		if p, ok := podByID[c.ID]; ok {
			t.Pod = &p
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
