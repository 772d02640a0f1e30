// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"fmt"
	"net/http"

	"github.com/spiderpool-go/spiderpool/internal/httpserve"
)

// serveHealth serves Spiderpool's probe paths on addr: startup and liveness
// answer 200 while the process serves; readiness answers 200 only once the
// IPAM service accepts calls.
func serveHealth(ctx context.Context, addr string, h *handler) error {
	if err := httpserve.ListenAndServe(ctx, addr, healthMux(h)); err != nil {
		return fmt.Errorf("health probes: %w", err)
	}
	return nil
}

// healthMux routes the probe paths.
func healthMux(h *handler) *http.ServeMux {
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
	return mux
}
