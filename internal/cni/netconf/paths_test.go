// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package netconf

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadConfinesPaths: a NetworkAttachmentDefinition cannot make the root
// plugin write, rename or create files outside its own directories
// (/var/log/spidernet for the log, /var/run/spidernet for the socket and the
// release queue next to it). A path outside is ignored: the default is used
// and the note says what was ignored, so the pods of that network still
// work.
func TestLoadConfinesPaths(t *testing.T) {
	const (
		defLog  = "/var/log/spidernet/spiderpool.log"
		defSock = "/var/run/spidernet/spiderpool.sock"
	)
	for _, tc := range []struct {
		name, logPath, sockPath string
		roots                   Roots
		wantLog, wantSock       string
		wantIgnored             []string // substrings, one per note
	}{
		{name: "defaults", wantLog: defLog, wantSock: defSock},
		{name: "inside, cleaned", logPath: "/var/log/spidernet/a/../b.log", sockPath: "/var/run/spidernet//x/s.sock",
			wantLog: "/var/log/spidernet/b.log", wantSock: "/var/run/spidernet/x/s.sock"},
		{name: "a host binary", logPath: "/usr/bin/containerd", sockPath: "/usr/bin/runc",
			wantLog: defLog, wantSock: defSock, wantIgnored: []string{
				`ipam.log_file_path "/usr/bin/containerd" ignored: it must name a file under /var/log/spidernet/; using ` + defLog,
				`ipam.ipam_unix_socket_path "/usr/bin/runc" ignored: it must name a file under /var/run/spidernet/; using ` + defSock,
			}},
		{name: "dot-dot escape", logPath: "/var/log/spidernet/../../../etc/passwd", sockPath: "/var/run/spidernet/../x.sock",
			wantLog: defLog, wantSock: defSock, wantIgnored: []string{`"/var/log/spidernet/../../../etc/passwd" ignored`, `"/var/run/spidernet/../x.sock" ignored`}},
		{name: "the directory itself", logPath: "/var/log/spidernet/", sockPath: "/var/run/spidernet/.",
			wantLog: defLog, wantSock: defSock, wantIgnored: []string{"log_file_path", "ipam_unix_socket_path"}},
		{name: "a sibling with the same prefix", logPath: "/var/log/spidernetx/a.log", sockPath: "/var/run/spidernet2/s.sock",
			wantLog: defLog, wantSock: defSock, wantIgnored: []string{"log_file_path", "ipam_unix_socket_path"}},
		{name: "relative", logPath: "spiderpool.log", sockPath: "var/run/spidernet/s.sock",
			wantLog: defLog, wantSock: defSock, wantIgnored: []string{"log_file_path", "ipam_unix_socket_path"}},
		{name: "NUL", logPath: "/var/log/spidernet/a\x00b", wantLog: defLog, wantSock: defSock, wantIgnored: []string{"log_file_path"}},
		{name: "a lab node's root", roots: RootsUnder("/run/lab/n1"),
			sockPath: "/run/lab/n1/var/run/spidernet/spiderpool.sock", logPath: "/var/log/spidernet/x.log",
			wantSock: "/run/lab/n1/var/run/spidernet/spiderpool.sock", wantLog: "/run/lab/n1/var/log/spidernet/spiderpool.log",
			wantIgnored: []string{`"/var/log/spidernet/x.log" ignored: it must name a file under /run/lab/n1/var/log/spidernet/`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			roots := tc.roots
			if roots == (Roots{}) {
				roots = DefaultRoots()
			}
			conf, err := LoadConfined(ipamJSON(t, map[string]any{"log_file_path": tc.logPath, "ipam_unix_socket_path": tc.sockPath}), roots)
			if err != nil {
				t.Fatalf("LoadConfined: %v", err)
			}
			if conf.IPAM.LogFilePath != tc.wantLog || conf.IPAM.UnixSocketPath != tc.wantSock {
				t.Errorf("paths = %q, %q; want %q, %q", conf.IPAM.LogFilePath, conf.IPAM.UnixSocketPath, tc.wantLog, tc.wantSock)
			}
			if len(conf.IPAM.Ignored) != len(tc.wantIgnored) {
				t.Fatalf("ignored %q, want %d notes like %q", conf.IPAM.Ignored, len(tc.wantIgnored), tc.wantIgnored)
			}
			for i, want := range tc.wantIgnored {
				if !strings.Contains(conf.IPAM.Ignored[i], want) {
					t.Errorf("note %q does not contain %q", conf.IPAM.Ignored[i], want)
				}
			}
		})
	}
}

// TestLoadUsesDefaultRoots: Load is LoadConfined with the real directories.
func TestLoadUsesDefaultRoots(t *testing.T) {
	conf, err := Load(ipamJSON(t, map[string]any{"log_file_path": "/tmp/x.log", "ipam_unix_socket_path": "/tmp/x.sock"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{conf.IPAM.LogFilePath, conf.IPAM.UnixSocketPath}; !cmp.Equal(got, []string{DefaultLogFilePath, DefaultUnixSocketPath}) {
		t.Errorf("paths = %q, want the defaults", got)
	}
	if want := (Roots{Socket: filepath.Dir(DefaultUnixSocketPath), Log: filepath.Dir(DefaultLogFilePath)}); DefaultRoots() != want {
		t.Errorf("DefaultRoots() = %+v, want the directories of the defaults %+v", DefaultRoots(), want)
	}
	if RootsUnder("") != DefaultRoots() || RootsUnder("/") != DefaultRoots() {
		t.Errorf("RootsUnder of the host root is not DefaultRoots: %+v, %+v", RootsUnder(""), RootsUnder("/"))
	}
}

func ipamJSON(t *testing.T, fields map[string]any) []byte {
	t.Helper()
	ipam := map[string]any{"type": PluginType}
	for k, v := range fields {
		if v != "" {
			ipam[k] = v
		}
	}
	data, err := json.Marshal(map[string]any{"cniVersion": "1.0.0", "name": "n", "ipam": ipam})
	if err != nil {
		t.Fatal(err)
	}
	return data
}
