// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"path/filepath"
	"sort"
	"strings"
)

// mount is one container path and the host directory (or file) the lab
// gives it. Every node shares the host's filesystem, so a container path is
// translated to a place under the node's root dir or the pod's dir.
type mount struct {
	containerPath string
	hostPath      string
}

// pathMap translates container paths into host paths. It is the lab's one
// deliberate rewrite of what a chart asks for: there is no mount namespace,
// so args, environment values and materialized ConfigMap files have their
// mount paths replaced by the host directories behind them.
type pathMap []mount

// newPathMap orders mounts longest container path first, so that a nested
// mount wins over its parent.
func newPathMap(mounts []mount) pathMap {
	pm := make(pathMap, 0, len(mounts))
	for _, m := range mounts {
		if m.containerPath = filepath.Clean(m.containerPath); m.containerPath != "/" {
			pm = append(pm, m)
		}
	}
	sort.SliceStable(pm, func(i, j int) bool { return len(pm[i].containerPath) > len(pm[j].containerPath) })
	return pm
}

// translate replaces, in one left-to-right pass, every occurrence of a
// mount path that stands as a whole path element (not preceded by a path
// character, followed by "/", the end or a non-path character) with its
// host path. Text already translated is never scanned again.
func (pm pathMap) translate(s string) string {
	if len(pm) == 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if m, ok := pm.matchAt(s, i); ok {
			b.WriteString(m.hostPath)
			i += len(m.containerPath)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func (pm pathMap) matchAt(s string, i int) (mount, bool) {
	if s[i] != '/' || (i > 0 && isPathChar(s[i-1])) {
		return mount{}, false
	}
	for _, m := range pm {
		end := i + len(m.containerPath)
		if !strings.HasPrefix(s[i:], m.containerPath) {
			continue
		}
		if end == len(s) || s[end] == '/' || !isPathChar(s[end]) {
			return m, true
		}
	}
	return mount{}, false
}

// isPathChar reports whether c can be part of a path element.
func isPathChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return c == '/' || c == '.' || c == '_' || c == '-'
}

// hostPathDir is where hostPath volume path lives on a node: under its root dir.
func hostPathDir(rootfs, path string) string {
	return filepath.Join(rootfs, filepath.Clean("/"+path))
}
