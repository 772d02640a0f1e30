// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentserver

import (
	"net/http"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// HandleCoordinator serves h on [agentapi.PathCoordinatorConfig]. Like the
// IPAM calls, it is refused while the agent's Healthy reports an error.
func (s *Server) HandleCoordinator(h agentapi.CoordinatorHandler) {
	s.mux.HandleFunc("GET "+agentapi.PathCoordinatorConfig, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		req := &agentapi.CoordinatorRequest{PodNamespace: q.Get("podNamespace"), PodName: q.Get("podName")}
		if err := req.Validate(); err != nil {
			writeError(w, r, err)
			return
		}
		if err := s.handler.Healthy(r.Context()); err != nil {
			writeError(w, r, notReady(err))
			return
		}
		resp, err := h.CoordinatorConfig(r.Context(), req)
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, resp)
	})
}
