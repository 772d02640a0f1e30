// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/ipamplugin"
	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
)

// TestTimingLog: ADD and DEL through Funcs append one line each to the
// configured log file, with the duration the clock saw, unless log_level
// filters the line out.
func TestTimingLog(t *testing.T) {
	for _, tc := range []struct {
		name, level string
		agentErr    error
		want        []ipamplugin.TimingLine
	}{
		{name: "info logs successes", level: "info", want: []ipamplugin.TimingLine{
			timingLine("ADD", "info", ""), timingLine("DEL", "info", ""),
		}},
		{name: "error drops successes", level: "error"},
		{name: "error keeps failures", level: "error", agentErr: agentapi.NewError(agentapi.CodeInvalidRequest, "bad"),
			want: []ipamplugin.TimingLine{timingLine("ADD", "error", "x"), timingLine("DEL", "error", "x")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			logPath := filepath.Join(root, "var/log/spidernet/sub/spiderpool.log")
			var stderr bytes.Buffer
			p := timingPlugin(root, tc.agentErr, &stderr)
			args := timingArgs(t, logPath, tc.level)
			funcs := p.Funcs()
			_ = funcs.Add(args) // the outcome is what the log must show
			_ = funcs.Del(args)
			got := readTiming(t, logPath)
			for i := range got {
				if got[i].Error != "" {
					got[i].Error = "x"
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("timing lines (-want +got):\n%s", diff)
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr: %s", stderr.String())
			}
		})
	}
}

var timingStart = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func timingLine(command, level, errText string) ipamplugin.TimingLine {
	return ipamplugin.TimingLine{Time: timingStart.Add(2 * 1500 * time.Microsecond), Level: level, Msg: ipamplugin.TimingMessage,
		Command: command, ContainerID: "c1", IfName: "eth0", Pod: "ns/pod", DurationMs: 1.5, Error: errText}
}

// timingPlugin's clock advances 1.5ms per reading and is reset per command;
// its directories are under root.
func timingPlugin(root string, agentErr error, stderr *bytes.Buffer) *ipamplugin.Plugin {
	calls := 0
	return &ipamplugin.Plugin{
		NewClient: func(string) ipamplugin.Client {
			return &fakeClient{err: agentErr, addResp: dualStackResponse()}
		},
		Links:    &fakeLinks{},
		Stdout:   &bytes.Buffer{},
		QueueDir: func(string) string { return os.DevNull },
		Now: func() time.Time {
			calls++
			return timingStart.Add(time.Duration((calls-1)%3) * 1500 * time.Microsecond)
		},
		Stderr: stderr,
		Roots:  netconf.RootsUnder(root),
	}
}

func timingArgs(t *testing.T, logPath, level string) *skel.CmdArgs {
	t.Helper()
	conf, err := json.Marshal(map[string]any{"cniVersion": "1.0.0", "name": "n", "ipam": map[string]any{
		"type": "spiderpool", "log_level": level, "log_file_path": logPath,
	}})
	if err != nil {
		t.Fatal(err)
	}
	return &skel.CmdArgs{ContainerID: "c1", IfName: "eth0", Netns: "/var/run/netns/x", StdinData: conf,
		Args: "K8S_POD_NAMESPACE=ns;K8S_POD_NAME=pod;K8S_POD_UID=u1"}
}

func readTiming(t *testing.T, path string) []ipamplugin.TimingLine {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []ipamplugin.TimingLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l ipamplugin.TimingLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}
