// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"

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

// ignoredMessage is the msg of the warning line the plugin appends to its
// log file when Load ignored a path of the configuration.
const ignoredMessage = "ignored ipam config fields"

// ignoredLine is the warning line that lists the ignored fields.
type ignoredLine struct {
	Time    time.Time `json:"ts"`
	Level   string    `json:"level"`
	Msg     string    `json:"msg"`
	Command string    `json:"command"`
	Ignored []string  `json:"ignored"`
}

// wrap runs a command and then reports, once: the configuration paths it
// ignored (on stderr, in the log file and in the command's error), and,
// when timed, one TimingLine in the log file if log_level lets its level
// through. A log that cannot be written is reported on stderr and never
// fails the command.
func (p *Plugin) wrap(command string, timed bool, run func(*skel.CmdArgs) error) func(*skel.CmdArgs) error {
	return func(args *skel.CmdArgs) error {
		start := p.now()
		err := run(args)
		d := p.now().Sub(start)
		conf, cerr := p.loadConf(args.StdinData)
		if cerr != nil {
			return err // the command itself reports a bad configuration
		}
		err = withNotes(err, conf.IPAM.Ignored)
		for _, note := range conf.IPAM.Ignored {
			_, _ = fmt.Fprintf(p.stderr(), "spiderpool: %s\n", note) // stderr is the last resort
		}
		lines := p.logLines(command, args, conf, timed, d, err)
		if logErr := appendLog(conf.IPAM.LogFilePath, conf.IPAM.LogFileMaxSize, lines); logErr != nil {
			_, _ = fmt.Fprintf(p.stderr(), "spiderpool: write the timing log: %v\n", logErr)
		}
		return err
	}
}

// withNotes adds the ignored-field notes to a CNI error's details, so the
// runtime's event says why the plugin used another socket.
func withNotes(err error, notes []string) error {
	var e *types.Error
	if len(notes) == 0 || !errors.As(err, &e) {
		return err
	}
	parts := notes
	if e.Details != "" {
		parts = append([]string{e.Details}, notes...)
	}
	e.Details = strings.Join(parts, "; ")
	return e
}

// logLines encodes the lines log_level lets through: the warning about
// ignored fields, then the timing line of a timed command.
func (p *Plugin) logLines(command string, args *skel.CmdArgs, conf *netconf.NetConf, timed bool, d time.Duration, cmdErr error) []byte {
	var out []byte
	if len(conf.IPAM.Ignored) > 0 && levelEnabled(conf.IPAM.LogLevel, "warn") {
		out = appendJSON(out, ignoredLine{Time: p.now().UTC(), Level: "warn", Msg: ignoredMessage, Command: command, Ignored: conf.IPAM.Ignored})
	}
	if !timed {
		return out
	}
	line := TimingLine{Time: p.now().UTC(), Level: "info", Msg: TimingMessage, Command: command,
		ContainerID: args.ContainerID, IfName: args.IfName, DurationMs: float64(d.Microseconds()) / 1000}
	if cmdErr != nil {
		line.Level, line.Error = "error", cmdErr.Error()
	}
	if !levelEnabled(conf.IPAM.LogLevel, line.Level) {
		return out
	}
	if pod, err := netconf.ParseArgs(args.Args); err == nil && pod.Name != "" {
		line.Pod = pod.Namespace + "/" + pod.Name
	}
	return appendJSON(out, line)
}

// appendJSON appends v as one JSON line; the line types always encode.
func appendJSON(out []byte, v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		return out
	}
	return append(append(out, data...), '\n')
}

// levelEnabled tells whether a line of level passes the configured level
// (netconf.LogLevels is ordered from the most verbose).
func levelEnabled(configured, level string) bool {
	levels := netconf.LogLevels()
	return slices.Index(levels, level) >= slices.Index(levels, configured)
}

// appendLog appends data to path, which Load keeps under the log
// directory. Once the file passes maxSizeMB (0: the default) it is moved to
// path.1 first, so the log stays bounded. A symbolic link at path is
// neither followed nor rotated.
func appendLog(path string, maxSizeMB int, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	if maxSizeMB <= 0 {
		maxSizeMB = netconf.DefaultLogFileMaxSize
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("log dir: %w", err)
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() && fi.Size() > int64(maxSizeMB)<<20 {
		if err := os.Rename(path, path+".1"); err != nil {
			return fmt.Errorf("rotate: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY|syscall.O_NOFOLLOW, 0o644) //nolint:gosec // path is inside the log directory (netconf.Roots)
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
