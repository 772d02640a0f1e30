// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi_test

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

func TestListenModes(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "spidernet", "spiderpool.sock")
	l, err := agentapi.Listen(sock)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	defer l.Close()
	for path, want := range map[string]fs.FileMode{sock: 0o600, filepath.Dir(sock): 0o700} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s: mode %o, want %o", path, got, want)
		}
	}
}

func TestListenRemovesStaleSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "spiderpool.sock")
	stale, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	// Leave the file behind, as a killed agent does.
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	if err := stale.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := agentapi.Listen(sock)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	defer l.Close()
}

func TestListenRefusesLiveSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "spiderpool.sock")
	live, err := agentapi.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	go func() {
		// Accept the liveness probe.
		if conn, err := live.Accept(); err == nil {
			_ = conn.Close()
		}
	}()
	if _, err := agentapi.Listen(sock); !errors.Is(err, agentapi.ErrSocketInUse) {
		t.Fatalf("got %v, want ErrSocketInUse", err)
	}
}

func TestListenRefusesRegularFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spiderpool.sock")
	if err := os.WriteFile(path, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := agentapi.Listen(path); err == nil {
		t.Fatal("Listen replaced a regular file")
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the regular file is gone: %v", err)
	}
}
