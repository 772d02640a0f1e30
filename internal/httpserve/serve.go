// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package httpserve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// ShutdownTimeout bounds the wait for requests in flight once the context
// ends; connections still open after it are closed.
const ShutdownTimeout = 5 * time.Second

// readHeaderTimeout bounds a client's request headers (slowloris).
const readHeaderTimeout = 5 * time.Second

// ListenAndServe listens on the TCP address addr and serves h there until
// ctx ends (see [Serve]). Errors are returned as net/http reports them,
// with the address; callers add what the port is for.
func ListenAndServe(ctx context.Context, addr string, h http.Handler) error {
	l, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return Serve(ctx, l, h)
}

// Serve serves h on l until ctx ends, then shuts the server down gracefully
// within [ShutdownTimeout] and returns nil. If serving fails first, it
// closes the server and returns the error. Either way l is closed and no
// goroutine of this call outlives it.
func Serve(ctx context.Context, l net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: readHeaderTimeout}
	shutdownDone := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(shutdownDone)
		shutdown(ctx, srv)
	})
	err := srv.Serve(l)
	if stop() {
		// ctx has not ended and never will for this server: no shutdown
		// runs, so close the connections Serve may have left.
		_ = srv.Close() // its error is that of closing l again
		return err
	}
	<-shutdownDone
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// shutdown stops srv gracefully within ShutdownTimeout and closes what is
// still open after it. Its errors are not returned: the server is going
// away either way.
func shutdown(ctx context.Context, srv *http.Server) {
	bounded, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(bounded); err != nil {
		_ = srv.Close() // the bound passed: drop the remaining connections
	}
}
