// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"errors"
	"fmt"
	"strings"

	"go.uber.org/zap/zapcore"
)

// ErrInvalidLogLevel is returned by ParseLogLevel for a name it does not know.
var ErrInvalidLogLevel = errors.New("invalid log level")

// logLevelForms lists the accepted names, for error messages.
const logLevelForms = "one of debug, info, warn, error, fatal, panic (any case)"

// ParseLogLevel parses a SPIDERPOOL_LOG_LEVEL value: debug, info, warn, error,
// fatal or panic, in any case. The result is the level of the commands'
// logger (package logging); a logr V(n) call logs when n <= -level, so
// debug enables V(1).
func ParseLogLevel(s string) (zapcore.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return zapcore.DebugLevel, nil
	case "info":
		return zapcore.InfoLevel, nil
	case "warn":
		return zapcore.WarnLevel, nil
	case "error":
		return zapcore.ErrorLevel, nil
	case "fatal":
		return zapcore.FatalLevel, nil
	case "panic":
		return zapcore.PanicLevel, nil
	}
	return zapcore.InfoLevel, fmt.Errorf("%w %q: expected %s", ErrInvalidLogLevel, s, logLevelForms)
}
