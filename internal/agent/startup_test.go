// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
)

// lineLogger returns a logger that appends each line it logs to lines.
func lineLogger(lines *[]string) logr.Logger {
	return funcr.New(func(prefix, args string) { *lines = append(*lines, prefix+" "+args) }, funcr.Options{Verbosity: 1})
}

// logrInto is the test's context with a lineLogger.
func logrInto(t *testing.T, lines *[]string) context.Context {
	return logr.NewContext(t.Context(), lineLogger(lines))
}

// TestLogsDetection: the agent says once at start which detection
// switches are on.
func TestLogsDetection(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     Options
		want     []string
		wantNone bool
	}{
		{name: "both off", wantNone: true},
		{name: "conflict on", opts: Options{EnableIPConflictDetection: true}, want: []string{"enableIPConflictDetection"}},
		{name: "both on", opts: Options{EnableIPConflictDetection: true, EnableGatewayDetection: true},
			want: []string{"enableIPConflictDetection", "enableGatewayDetection"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lines []string
			logDetection(lineLogger(&lines), tc.opts)
			if tc.wantNone {
				if len(lines) != 0 {
					t.Fatalf("logged %q with both switches off", lines)
				}
				return
			}
			if len(lines) != 1 {
				t.Fatalf("logged %d lines, want 1: %q", len(lines), lines)
			}
			for _, w := range append(tc.want, "checks addresses on the wire") {
				if !strings.Contains(lines[0], w) {
					t.Errorf("line %q does not mention %q", lines[0], w)
				}
			}
		})
	}
}
