// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestStopFindsAProcessStartedThroughAWrapper: a binary given as a script
// that execs the real one (its command line changes) is still stopped, by
// the start time recorded with its PID, and a PID file whose process has
// gone is not signalled.
func TestStopFindsAProcessStartedThroughAWrapper(t *testing.T) {
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "wrapper.sh")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := processes{dir: dir}
	if err := p.start("w", wrapper); err != nil {
		t.Fatal(err)
	}
	pid, ok := p.running("w")
	if !ok {
		t.Fatal("the wrapped process is not recognised as running")
	}
	time.Sleep(200 * time.Millisecond) // let the script exec sleep
	if err := p.stop("w", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid))); err != nil || isZombie(pid) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid %d still alive after stop", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, ok := p.running("w"); ok {
		t.Error("a stopped process is still recognised as running")
	}
}

// TestFreePortsNeverRepeat: ports handed out to one lab are not handed out
// to another in the same process, though the probes closed them.
func TestFreePortsNeverRepeat(t *testing.T) {
	seen := map[int]bool{}
	for range 20 {
		ps, err := freeTCPPorts(5)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if seen[p] {
				t.Fatalf("port %d handed out twice", p)
			}
			seen[p] = true
		}
	}
}
