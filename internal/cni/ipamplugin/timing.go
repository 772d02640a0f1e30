// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/containernetworking/cni/pkg/skel"

	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
)

// TimingMessage is the msg of the line the plugin appends to its log file
// (docs/reference/interface.md §5.1 log_file_path) after each ADD and DEL:
// how long the command took from the plugin's view, the figure the
// benchmarks report.
const TimingMessage = "cni command done"

// TimingLine is one timing line of the plugin's log file (JSON).
type TimingLine struct {
	// Time is when the command returned.
	Time time.Time `json:"ts"`
	// Level is info for a success, error for a failure.
	Level string `json:"level"`
	// Msg is TimingMessage.
	Msg string `json:"msg"`
	// Command is ADD or DEL.
	Command string `json:"command"`
	// ContainerID and IfName come from the CNI arguments.
	ContainerID string `json:"containerID"`
	IfName      string `json:"ifName"`
	// Pod is "<namespace>/<name>" from CNI_ARGS, when given.
	Pod string `json:"pod,omitempty"`
	// DurationMs is the command's duration in milliseconds.
	DurationMs float64 `json:"durationMs"`
	// Error is the command's error, when it failed.
	Error string `json:"error,omitempty"`
}

// timed wraps a command: once it returns, one TimingLine goes to the
// configured log file when log_level lets its level through. A log that
// cannot be written is reported on stderr and never fails the command.
func (p *Plugin) timed(command string, run func(*skel.CmdArgs) error) func(*skel.CmdArgs) error {
	return func(args *skel.CmdArgs) error {
		start := p.now()
		err := run(args)
		if logErr := p.logTiming(command, args, p.now().Sub(start), err); logErr != nil {
			_, _ = fmt.Fprintf(p.stderr(), "spiderpool: write the timing log: %v\n", logErr) // stderr is the last resort
		}
		return err
	}
}

func (p *Plugin) logTiming(command string, args *skel.CmdArgs, d time.Duration, cmdErr error) error {
	conf, err := netconf.Load(args.StdinData)
	if err != nil {
		return nil //nolint:nilerr // the command itself reports a bad configuration
	}
	line := TimingLine{Time: p.now().UTC(), Level: "info", Msg: TimingMessage, Command: command,
		ContainerID: args.ContainerID, IfName: args.IfName, DurationMs: float64(d.Microseconds()) / 1000}
	if cmdErr != nil {
		line.Level, line.Error = "error", cmdErr.Error()
	}
	if !levelEnabled(conf.IPAM.LogLevel, line.Level) {
		return nil
	}
	if pod, err := netconf.ParseArgs(args.Args); err == nil && pod.Name != "" {
		line.Pod = pod.Namespace + "/" + pod.Name
	}
	data, err := json.Marshal(line)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return appendLog(conf.IPAM.LogFilePath, conf.IPAM.LogFileMaxSize, append(data, '\n'))
}

// levelEnabled tells whether a line of level passes the configured level
// (netconf.LogLevels is ordered from the most verbose).
func levelEnabled(configured, level string) bool {
	levels := netconf.LogLevels()
	return slices.Index(levels, level) >= slices.Index(levels, configured)
}

// appendLog appends data to path. Once the file passes maxSizeMB (0: the
// default) it is moved to path.1 first, so the log stays bounded.
func appendLog(path string, maxSizeMB int, data []byte) error {
	if maxSizeMB <= 0 {
		maxSizeMB = netconf.DefaultLogFileMaxSize
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("log dir: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > int64(maxSizeMB)<<20 {
		if err := os.Rename(path, path+".1"); err != nil {
			return fmt.Errorf("rotate: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644) //nolint:gosec // path is the operator's log_file_path
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("append to %s: %w", path, werr)
	}
	return nil
}

func (p *Plugin) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Plugin) stderr() io.Writer {
	if p.Stderr != nil {
		return p.Stderr
	}
	return os.Stderr
}
