// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics

import (
	"maps"
	"slices"
	"sync"
)

// PodBook remembers which pod each network namespace path belongs to, as
// the CNI ADDs the agent served told it (CNI_NETNS with
// K8S_POD_NAMESPACE/K8S_POD_NAME). The scan reads these paths besides the
// netns directories and labels their series with the pod. Safe for
// concurrent use.
type PodBook struct {
	mu     sync.Mutex
	byPath map[string]Pod
}

// Add records that the netns at path belongs to pod.
func (b *PodBook) Add(path string, pod Pod) {
	if path == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byPath == nil {
		b.byPath = map[string]Pod{}
	}
	b.byPath[path] = pod
}

// Forget drops every path of pod.
func (b *PodBook) Forget(pod Pod) {
	b.mu.Lock()
	defer b.mu.Unlock()
	maps.DeleteFunc(b.byPath, func(_ string, p Pod) bool { return p == pod })
}

// Keep drops every path for which keep returns false (netns that are gone).
func (b *PodBook) Keep(keep func(path string) bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	maps.DeleteFunc(b.byPath, func(path string, _ Pod) bool { return !keep(path) })
}

// Entries returns a copy of the book: path to pod.
func (b *PodBook) Entries() map[string]Pod {
	b.mu.Lock()
	defer b.mu.Unlock()
	return maps.Clone(b.byPath)
}

// Paths returns the recorded paths, sorted.
func (b *PodBook) Paths() []string {
	return slices.Sorted(maps.Keys(b.Entries()))
}
