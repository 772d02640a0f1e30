// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package httpserve serves an HTTP handler for the life of a context: the
// TCP ports of the health probes and the metrics of spiderpool-agent and
// spiderpool-controller.
//
// Once the context ends, the server stops accepting connections and waits a
// bounded time for requests in flight. When serving fails before that, the
// server is closed at once and nothing is left running: a caller that
// restarts or exits does not accumulate goroutines or connections.
package httpserve
