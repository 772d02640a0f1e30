// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package logging_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"go.uber.org/zap/zapcore"

	"github.com/spiderpool-go/spiderpool/internal/logging"
)

// TestNewWritesJSON: one JSON object per line, with the level, the
// message and the key/values; an error carries its message and no stack.
func TestNewWritesJSON(t *testing.T) {
	var buf bytes.Buffer
	log := logging.New(&buf, logging.DefaultLevel)
	log.Info("pool ready", "pool", "default-v4")
	log.Error(errors.New("boom"), "release failed", "ip", "10.0.0.1")
	lines := decode(t, &buf)
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), buf.String())
	}
	for key, want := range map[string]string{"level": "info", "msg": "pool ready", "pool": "default-v4"} {
		if lines[0][key] != want {
			t.Errorf("info line %s = %v, want %q", key, lines[0][key], want)
		}
	}
	for key, want := range map[string]string{"level": "error", "error": "boom", "ip": "10.0.0.1"} {
		if lines[1][key] != want {
			t.Errorf("error line %s = %v, want %q", key, lines[1][key], want)
		}
	}
	if _, ok := lines[1]["stacktrace"]; ok {
		t.Error("an error line carries a stack trace")
	}
}

// TestNewLevels: info, the default, drops V(1); debug keeps it; error
// drops info.
func TestNewLevels(t *testing.T) {
	cases := []struct {
		level     zapcore.Level
		wantLines int
	}{
		{level: logging.DefaultLevel, wantLines: 2},
		{level: zapcore.DebugLevel, wantLines: 3},
		{level: zapcore.ErrorLevel, wantLines: 1},
	}
	for _, tc := range cases {
		t.Run(tc.level.String(), func(t *testing.T) {
			var buf bytes.Buffer
			log := logging.New(&buf, tc.level)
			log.V(1).Info("debug detail")
			log.Info("event")
			log.Error(errors.New("boom"), "failure")
			if got := len(decode(t, &buf)); got != tc.wantLines {
				t.Errorf("%d lines at %s, want %d:\n%s", got, tc.level, tc.wantLines, buf.String())
			}
		})
	}
}

// TestSetupPutsTheLoggerInTheContext: the command's code finds the logger
// in the context Setup returns.
func TestSetupPutsTheLoggerInTheContext(t *testing.T) {
	ctx := logging.Setup(t.Context(), logging.DefaultLevel)
	log, err := logr.FromContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !log.Enabled() || log.V(1).Enabled() {
		t.Errorf("Setup logger: info enabled %v, V(1) enabled %v; want true, false", log.Enabled(), log.V(1).Enabled())
	}
}

// decode parses buf as JSON lines.
func decode(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q: %v", line, err)
		}
		lines = append(lines, m)
	}
	return lines
}
