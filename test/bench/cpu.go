// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times on Linux.
const clockTicks = 100

// cpuSample is CPU seconds by process group at one moment.
type cpuSample map[string]float64

// sampleCPU reads the CPU time (user + system, plus reaped children: the
// node simulators' CNI plugin processes land there) of every process the
// lab recorded in dir/pids, grouped by role, and of this process.
func sampleCPU(labDir string) cpuSample {
	s := cpuSample{}
	files, _ := filepath.Glob(filepath.Join(labDir, "pids", "*.pid")) // the pattern is valid
	for _, f := range files {
		data, err := os.ReadFile(f) //nolint:gosec // the lab's own pid files
		if err != nil {
			continue // the process was stopped meanwhile
		}
		fields := strings.Fields(string(data))
		if len(fields) == 0 {
			continue // an empty pid file: the process is being started
		}
		pid := fields[0]
		own, children, ok := procCPU(pid)
		if !ok {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(f), ".pid")
		if strings.HasPrefix(name, "node-") {
			s["CNI plugins (children of node simulators)"] += children
			children = 0
		}
		s[cpuGroup(name)] += own + children
	}
	if own, children, ok := procCPU("self"); ok {
		s["spiderbench"] += own + children
	}
	return s
}

// cpuGroup maps a lab process name to its role.
func cpuGroup(name string) string {
	switch {
	case strings.HasPrefix(name, "agent-"):
		return "spiderpool-agent (all nodes)"
	case strings.HasPrefix(name, "node-"):
		return "node simulators"
	case strings.HasPrefix(name, "controller"):
		return "spiderpool-controller"
	default:
		return name
	}
}

// procCPU returns the CPU seconds of pid itself (utime+stime) and of its
// reaped children (cutime+cstime).
func procCPU(pid string) (own, children float64, ok bool) {
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, 0, false
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	_, rest, found := strings.Cut(string(data), ") ")
	if !found {
		return 0, 0, false
	}
	f := strings.Fields(rest)
	if len(f) < 15 {
		return 0, 0, false
	}
	var ticks [4]float64
	for i, v := range f[11:15] { // utime stime cutime cstime: fields 14-17 of stat
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, 0, false
		}
		ticks[i] = n
	}
	return (ticks[0] + ticks[1]) / clockTicks, (ticks[2] + ticks[3]) / clockTicks, true
}

// sub returns s minus an earlier sample.
func (s cpuSample) sub(earlier cpuSample) cpuSample {
	out := cpuSample{}
	for k, v := range s {
		out[k] = v - earlier[k]
	}
	return out
}

// loadAvg returns the 1-minute load average, or -1.
func loadAvg() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// machineBusy returns the machine's busy CPU seconds so far (all CPUs),
// from /proc/stat.
func machineBusy() (float64, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("read /proc/stat: %w", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	var busy float64
	for i, v := range f[1:] {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, fmt.Errorf("parse /proc/stat: %w", err)
		}
		if i != 3 && i != 4 { // idle and iowait
			busy += n
		}
	}
	return busy / clockTicks, nil
}
