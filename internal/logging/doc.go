// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package logging builds the one logger every spiderpool command uses: logr
// over controller-runtime's zap, writing JSON lines, from info up unless
// SPIDERPOOL_LOG_LEVEL asks otherwise, with stack traces only for panics.
//
// A command builds it once at start ([Setup]); controller-runtime and the
// libraries logging through it get the same logger, and the command's code
// takes it from the context. A logr V(n) call logs when n <= -level, so
// the debug level enables V(1).
package logging
