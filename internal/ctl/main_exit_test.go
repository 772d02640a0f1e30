// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestMainArguments covers the exit codes of runs that never reach the
// API server.
func TestMainArguments(t *testing.T) {
	errNoAPI := errors.New("no API server in this test")
	tests := []struct {
		args     []string
		code     int
		inOutput string
	}{
		{args: []string{"--help"}, code: ExitOK, inOutput: "Exit codes: 0 clean or done, 1 problems found or release refused, 2 error."},
		{args: []string{"ip", "release", "--help"}, code: ExitOK, inOutput: "--dry-run"},
		{args: []string{"frobnicate"}, code: ExitError, inOutput: `unknown command "frobnicate"`},
		{args: []string{"check", "--bogus"}, code: ExitError, inOutput: "unknown flag: --bogus"},
		{args: []string{"ip", "show"}, code: ExitError, inOutput: "accepts 1 arg(s)"},
		{args: []string{"ip", "show", "10.0.0.256"}, code: ExitError, inOutput: "bad argument"},
		{args: []string{"pod", "show", "web-0"}, code: ExitError, inOutput: "-n <namespace>"},
		{args: []string{"pool", "list", "-o", "wide"}, code: ExitError, inOutput: `output "wide"`},
		{args: []string{"pool", "list"}, code: ExitError, inOutput: errNoAPI.Error()},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(t.Context(), tt.args, Env{
				Out: &out, Err: &errOut,
				NewClient: func(string) (client.Client, error) { return nil, errNoAPI },
			})
			if code != tt.code || !strings.Contains(out.String()+errOut.String(), tt.inOutput) {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant output containing %q", code, tt.code, out.String(), errOut.String(), tt.inOutput)
			}
		})
	}
}
