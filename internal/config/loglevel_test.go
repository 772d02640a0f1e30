// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"errors"
	"testing"

	"go.uber.org/zap/zapcore"
)

func TestParseLogLevel(t *testing.T) {
	tests := []struct {
		in      string
		want    zapcore.Level
		wantErr bool
	}{
		{in: "debug", want: zapcore.DebugLevel},
		{in: "info", want: zapcore.InfoLevel},
		{in: "INFO", want: zapcore.InfoLevel},
		{in: "Warn", want: zapcore.WarnLevel},
		{in: "error", want: zapcore.ErrorLevel},
		{in: "fatal", want: zapcore.FatalLevel},
		{in: "PaNiC", want: zapcore.PanicLevel},
		{in: "warning", wantErr: true},
		{in: "dpanic", wantErr: true},
		{in: "trace", wantErr: true},
		{in: "", wantErr: true},
		{in: " info", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseLogLevel(tc.in)
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidLogLevel) {
					t.Errorf("ParseLogLevel(%q) error = %v, want ErrInvalidLogLevel", tc.in, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseLogLevel(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}
