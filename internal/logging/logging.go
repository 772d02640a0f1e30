// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package logging

import (
	"context"
	"io"
	"os"

	"github.com/go-logr/logr"
	"go.uber.org/zap/zapcore"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// DefaultLevel is the level of a command that has no SPIDERPOOL_LOG_LEVEL:
// info, so that a healthy process logs little.
const DefaultLevel = zapcore.InfoLevel

// New returns a logger writing JSON lines to w from level up. Stack traces
// are kept for panics: errors are returned and logged once, with their
// message, not with the logger's call site.
func New(w io.Writer, level zapcore.Level) logr.Logger {
	return zap.New(zap.WriteTo(w), zap.Level(level), zap.StacktraceLevel(zapcore.PanicLevel))
}

// Setup builds the logger of a command, New(os.Stderr, level), makes it
// controller-runtime's logger and returns ctx carrying it. Call it once,
// first thing: controller-runtime keeps the first logger set.
func Setup(ctx context.Context, level zapcore.Level) context.Context {
	logger := New(os.Stderr, level)
	ctrl.SetLogger(logger)
	return logr.NewContext(ctx, logger)
}
