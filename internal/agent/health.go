// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// serveHealth serves Spiderpool's probe paths on addr: startup and liveness
// answer 200 while the process serves; readiness answers 200 only once the
// IPAM service accepts calls.
func serveHealth(ctx context.Context, addr string, h *handler) error {
	mux := http.NewServeMux()
	alive := func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }
	mux.HandleFunc("GET /v1/runtime/startup", alive)
	mux.HandleFunc("GET /v1/runtime/liveness", alive)
	mux.HandleFunc("GET /v1/runtime/readiness", func(w http.ResponseWriter, r *http.Request) {
		if err := h.Healthy(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("health probes on %s: %w", addr, err)
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown) // best effort at exit
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("health probes: %w", err)
	}
	return nil
}
