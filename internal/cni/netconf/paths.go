// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package netconf

import (
	"fmt"
	"path/filepath"
	"strings"
)

// EnvRoot names the environment variable that moves [Roots] under another
// directory: the runtime's environment, never the network configuration,
// which a NetworkAttachmentDefinition's author writes. It is for labs that
// simulate several nodes on one host; real nodes leave it unset.
const EnvRoot = "SPIDERPOOL_CNI_ROOT"

// Roots are the only host directories the plugin, which runs as root,
// writes to on behalf of a network configuration.
type Roots struct {
	// Socket holds ipam_unix_socket_path, and the release queue next to
	// the socket (/var/run/spidernet, the agent's default directory).
	Socket string
	// Log holds log_file_path and its rotated copy (/var/log/spidernet).
	Log string
}

// DefaultRoots are the directories of [DefaultUnixSocketPath] and
// [DefaultLogFilePath].
func DefaultRoots() Roots {
	return Roots{Socket: filepath.Dir(DefaultUnixSocketPath), Log: filepath.Dir(DefaultLogFilePath)}
}

// RootsUnder is [DefaultRoots] inside root; "" and "/" give DefaultRoots.
func RootsUnder(root string) Roots {
	d := DefaultRoots()
	if root == "" {
		return d
	}
	return Roots{Socket: filepath.Join(root, d.Socket), Log: filepath.Join(root, d.Log)}
}

// confine keeps the log file and the socket inside r
// (docs/compatibility.md, "Other differences"): an empty path gets the
// default inside r, a path outside r gets it too, with a note in Ignored.
// A bad path is not an error, so that the pods of a network whose
// configuration names one still get addresses from the node's agent.
func (c *IPAMConfig) confine(r Roots) {
	c.LogFilePath = c.confinePath("ipam.log_file_path", c.LogFilePath, r.Log, filepath.Base(DefaultLogFilePath))
	c.UnixSocketPath = c.confinePath("ipam.ipam_unix_socket_path", c.UnixSocketPath, r.Socket, filepath.Base(DefaultUnixSocketPath))
}

func (c *IPAMConfig) confinePath(field, p, dir, defaultName string) string {
	def := filepath.Join(dir, defaultName)
	if p == "" {
		return def
	}
	if clean, ok := within(dir, p); ok {
		return clean
	}
	c.Ignored = append(c.Ignored, fmt.Sprintf("%s %q ignored: it must name a file under %s/; using %s", field, p, dir, def))
	return def
}

// within returns p cleaned when it is an absolute path strictly inside
// dir (a clean absolute path), after resolving "." and "..".
func within(dir, p string) (string, bool) {
	if !filepath.IsAbs(p) || strings.ContainsRune(p, 0) {
		return "", false
	}
	clean := filepath.Clean(p)
	if !strings.HasPrefix(clean, dir+"/") {
		return "", false
	}
	return clean, true
}
