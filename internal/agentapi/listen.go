// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"time"
)

// ErrSocketInUse is returned by [Listen] when another process answers on
// the socket.
var ErrSocketInUse = errors.New("another process is serving on the socket")

// Socket and directory modes: the API is for root on the node only.
const (
	socketMode    fs.FileMode = 0o600
	socketDirMode fs.FileMode = 0o700
)

// staleProbeTimeout bounds the dial that tells a live socket from a stale
// one.
const staleProbeTimeout = time.Second

// Listen creates the unix socket at path with mode 0600. Missing parent
// directories are created with mode 0700; an existing parent is left as it
// is, since it may be shared (such as /run). A socket file left by an agent
// that is gone is removed first; a live one is [ErrSocketInUse], and any
// other kind of file at path is an error rather than deleted. The socket
// has the umask's mode until the chmod right after bind; the 0700 parent
// keeps others out meanwhile.
func Listen(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), socketDirMode); err != nil {
		return nil, fmt.Errorf("create the directory of the agent socket: %w", err)
	}
	if err := removeStaleSocket(path); err != nil {
		return nil, err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on the agent socket: %w", err)
	}
	if err := os.Chmod(path, socketMode); err != nil {
		return nil, errors.Join(fmt.Errorf("restrict the agent socket to root: %w", err), l.Close())
	}
	return l, nil
}

func removeStaleSocket(path string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("inspect the agent socket path: %w", err)
	}
	if info.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s exists and is not a socket (%v); remove it or choose another ipam_unix_socket_path", path, info.Mode().Type())
	}
	conn, err := net.DialTimeout("unix", path, staleProbeTimeout)
	if err == nil {
		return errors.Join(fmt.Errorf("%w: %s", ErrSocketInUse, path), conn.Close())
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the stale agent socket: %w", err)
	}
	return nil
}
