// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/ipamplugin"
	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
)

// victim is a host file outside the plugin's directories, bigger than a
// 1 MB log_file_max_size.
func victim(t *testing.T) (path string, content []byte) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "containerd")
	content = bytes.Repeat([]byte("x"), 2<<20)
	if err := os.WriteFile(path, content, 0o755); err != nil {
		t.Fatal(err)
	}
	return path, content
}

func assertUntouched(t *testing.T, path string, content []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, content) {
		t.Errorf("%s was changed (err %v, %d bytes, want %d)", path, err, len(got), len(content))
	}
	if _, err := os.Lstat(path + ".1"); err == nil {
		t.Errorf("%s was rotated to %s.1", path, path)
	}
}

// pathArgs is a config with the given ipam paths (empty: not set).
func pathArgs(t *testing.T, logPath, socket string) *skel.CmdArgs {
	t.Helper()
	ipam := map[string]any{"type": "spiderpool", "log_level": "info", "log_file_max_size": 1}
	if logPath != "" {
		ipam["log_file_path"] = logPath
	}
	if socket != "" {
		ipam["ipam_unix_socket_path"] = socket
	}
	conf, err := json.Marshal(map[string]any{"cniVersion": "1.0.0", "name": "n", "ipam": ipam})
	if err != nil {
		t.Fatal(err)
	}
	return &skel.CmdArgs{ContainerID: "c1", IfName: "eth0", Netns: "/var/run/netns/x", StdinData: conf,
		Args: "K8S_POD_NAMESPACE=ns;K8S_POD_NAME=pod;K8S_POD_UID=u1"}
}

// TestLogFileOutsideIgnored (review #16): a log_file_path outside
// /var/log/spidernet neither rotates nor appends to the file it names; the
// default log gets the lines, with a warning naming the ignored path, and
// stderr says it too.
func TestLogFileOutsideIgnored(t *testing.T) {
	root := t.TempDir()
	path, content := victim(t)
	var stderr bytes.Buffer
	p := timingPlugin(root, nil, &stderr)
	if err := p.Funcs().Add(pathArgs(t, path, "")); err != nil {
		t.Fatalf("ADD: %v", err)
	}
	assertUntouched(t, path, content)
	log, err := os.ReadFile(filepath.Join(root, "var/log/spidernet/spiderpool.log"))
	if err != nil {
		t.Fatalf("default log: %v", err)
	}
	note := fmt.Sprintf("ipam.log_file_path %q ignored", path)
	if !strings.Contains(string(log), strings.ReplaceAll(note, `"`, `\"`)) || !strings.Contains(string(log), ipamplugin.TimingMessage) {
		t.Errorf("default log lacks the warning or the timing line:\n%s", log)
	}
	if !strings.Contains(stderr.String(), note) {
		t.Errorf("stderr %q does not report %s", stderr.String(), note)
	}
}

// TestLogFileSymlinkNotFollowed: a symbolic link planted at the log path is
// neither followed nor rotated.
func TestLogFileSymlinkNotFollowed(t *testing.T) {
	root := t.TempDir()
	path, content := victim(t)
	logPath := filepath.Join(root, "var/log/spidernet/spiderpool.log")
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(path, logPath); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	p := timingPlugin(root, nil, &stderr)
	if err := p.Funcs().Add(pathArgs(t, logPath, "")); err != nil {
		t.Fatalf("ADD: %v", err)
	}
	assertUntouched(t, path, content)
	if target, err := os.Readlink(logPath); err != nil || target != path {
		t.Errorf("the link was replaced: %q, %v", target, err)
	}
	if !strings.Contains(stderr.String(), "write the timing log") {
		t.Errorf("stderr %q does not report the refused log file", stderr.String())
	}
}

// TestSocketOutsideIgnored (review #16): an ipam_unix_socket_path outside
// /var/run/spidernet is not dialled and gets no release queue next to it;
// the plugin uses the default socket and queue, and its error says what it
// ignored.
func TestSocketOutsideIgnored(t *testing.T) {
	root := t.TempDir()
	elsewhere := t.TempDir()
	socket := filepath.Join(elsewhere, "etc", "x.sock")
	tp := newTestPlugin(t)
	tp.Roots = netconf.RootsUnder(root)
	tp.QueueDir = agentapi.ReleaseQueueDir
	tp.client.err = fmt.Errorf("%w: dial", agentapi.ErrUnreachable)
	args := pathArgs(t, "", socket)

	if err := tp.Del(args); err != nil {
		t.Fatalf("DEL: %v", err)
	}
	wantSocket := filepath.Join(root, "var/run/spidernet/spiderpool.sock")
	if tp.client.socket != wantSocket {
		t.Errorf("dialled %q, want the default %q", tp.client.socket, wantSocket)
	}
	if n, err := agentapi.NewReleaseQueue(agentapi.ReleaseQueueDir(wantSocket), 0).Len(); err != nil || n != 1 {
		t.Errorf("default queue holds %d, %v; want the release", n, err)
	}
	if entries, err := os.ReadDir(elsewhere); err != nil || len(entries) != 0 {
		t.Errorf("created %v (%v) next to the ignored socket", entries, err)
	}

	e := wantCode(t, tp.Funcs().Add(args), types.ErrTryAgainLater)
	if note := fmt.Sprintf("ipam.ipam_unix_socket_path %q ignored", socket); !strings.Contains(e.Error(), note) {
		t.Errorf("ADD error %q does not say %s", e.Error(), note)
	}
}
