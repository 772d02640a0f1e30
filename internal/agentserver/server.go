// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentserver

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/go-logr/logr"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// shutdownGrace bounds how long Serve waits for requests in flight after
// its context ends.
const shutdownGrace = 30 * time.Second

// Server serves an [agentapi.Handler] on the agent API paths. It is an
// http.Handler, so tests can mount it anywhere.
type Server struct {
	handler agentapi.Handler
	mux     *http.ServeMux
}

// New returns a Server for h.
func New(h agentapi.Handler) *Server {
	s := &Server{handler: h, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET "+agentapi.PathHealthy, s.serveHealthy)
	s.mux.Handle("POST "+agentapi.PathIP, serve(s, h.Allocate))
	s.mux.Handle("DELETE "+agentapi.PathIP, serve(s, noBody(h.Release)))
	s.mux.Handle("DELETE "+agentapi.PathIPs, serve(s, noBody(h.ReleaseAll)))
	s.mux.Handle("POST "+agentapi.PathCheck, serve(s, h.Check))
	s.mux.Handle("POST "+agentapi.PathGC, serve(s, noBody(h.GC)))
	return s
}

// Handle adds a route beside the IPAM ones, such as the coordinator's
// configuration endpoint. Call it before serving.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// ListenAndServe listens on socketPath (see [agentapi.Listen]) and serves until ctx
// ends.
func (s *Server) ListenAndServe(ctx context.Context, socketPath string) error {
	l, err := agentapi.Listen(socketPath)
	if err != nil {
		return err
	}
	return s.Serve(ctx, l)
}

// Serve serves on l until ctx ends, then waits up to 30 s for requests in
// flight and closes l. Request contexts carry ctx's values (such as its
// logger) but not its cancellation. It returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-done; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

func (s *Server) serveHealthy(w http.ResponseWriter, r *http.Request) {
	if err := s.handler.Healthy(r.Context()); err != nil {
		writeError(w, r, notReady(err))
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

// empty is the body of a successful call that returns nothing.
type empty struct{}

// noBody adapts a handler method without a result.
func noBody[Req any](call func(context.Context, *Req) error) func(context.Context, *Req) (*empty, error) {
	return func(ctx context.Context, req *Req) (*empty, error) {
		return &empty{}, call(ctx, req)
	}
}

// serve decodes and validates the request, checks readiness, calls the
// handler and writes its result or error.
func serve[Req, Resp any, P interface {
	*Req
	agentapi.Validator
}](s *Server, call func(context.Context, *Req) (*Resp, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := agentapi.ReadRequest[Req, P](r.Body)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if err := s.handler.Healthy(r.Context()); err != nil {
			writeError(w, r, notReady(err))
			return
		}
		resp, err := call(r.Context(), req)
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, resp)
	})
}

// notReady turns a Healthy error into a NotReady *Error with its text.
func notReady(err error) *agentapi.Error {
	var e *agentapi.Error
	if errors.As(err, &e) {
		return &agentapi.Error{Code: agentapi.CodeNotReady, Message: e.Message}
	}
	return &agentapi.Error{Code: agentapi.CodeNotReady, Message: err.Error()}
}

// writeError answers with err as an *agentapi.Error and logs it once: failures of
// the agent at error level, refusals at debug level.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *agentapi.Error
	if !errors.As(err, &e) {
		e = &agentapi.Error{Code: agentapi.CodeInternal, Message: err.Error()}
	}
	log := logr.FromContextOrDiscard(r.Context()).WithValues("method", r.Method, "path", r.URL.Path)
	if e.Code == agentapi.CodeInternal {
		log.Error(err, "Agent API request failed")
	} else {
		log.V(1).Info("Agent API request refused", "code", e.Code, "field", e.Field, "message", e.Message)
	}
	writeJSON(w, e.Code.HTTPStatus(), e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body, _ = json.Marshal(&agentapi.Error{Code: agentapi.CodeInternal, Message: "encode response: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// A failed write means the client went away; there is no one to tell.
	_, _ = w.Write(body)
}
