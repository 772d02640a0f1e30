// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/go-logr/logr"
)

// Handler is what the agent implements. The server has already decoded
// and validated each request, and calls the IPAM methods only while
// Healthy returns nil. Return an *Error to choose the code the plugin sees;
// any other error is reported as [CodeInternal] with its text.
type Handler interface {
	// Healthy returns nil once the agent has restored its state and synced
	// its cache, else an error saying what it waits for. It must be cheap:
	// the server calls it before every other method.
	Healthy(ctx context.Context) error
	// Allocate serves CNI ADD. Calls for an interface that already has
	// addresses return them again.
	Allocate(ctx context.Context, req *AddRequest) (*AddResponse, error)
	// Release serves CNI DEL. Releasing what is not allocated succeeds.
	Release(ctx context.Context, req *DelRequest) error
	// ReleaseAll releases every address recorded for the pod.
	ReleaseAll(ctx context.Context, req *BatchDelRequest) error
	// Check returns the record of the pod UID and interface, or an *Error
	// with CodeNotFound.
	Check(ctx context.Context, req *CheckRequest) (*CheckResponse, error)
	// GC releases the node's allocations whose container ID is not among
	// req.ValidAttachments.
	GC(ctx context.Context, req *GCRequest) error
}

// shutdownGrace bounds how long Serve waits for requests in flight after
// its context ends.
const shutdownGrace = 30 * time.Second

// Server serves a [Handler] on the agent API paths. It is an http.Handler,
// so tests can mount it anywhere.
type Server struct {
	handler Handler
	mux     *http.ServeMux
}

// NewServer returns a Server for h.
func NewServer(h Handler) *Server {
	s := &Server{handler: h, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET "+PathHealthy, s.serveHealthy)
	s.mux.Handle("POST "+PathIP, serve(s, h.Allocate))
	s.mux.Handle("DELETE "+PathIP, serve(s, noBody(h.Release)))
	s.mux.Handle("DELETE "+PathIPs, serve(s, noBody(h.ReleaseAll)))
	s.mux.Handle("POST "+PathCheck, serve(s, h.Check))
	s.mux.Handle("POST "+PathGC, serve(s, noBody(h.GC)))
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

// ListenAndServe listens on socketPath (see [Listen]) and serves until ctx
// ends.
func (s *Server) ListenAndServe(ctx context.Context, socketPath string) error {
	l, err := Listen(socketPath)
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
	validator
}](s *Server, call func(context.Context, *Req) (*Resp, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := decodeAs[Req, P](r.Body)
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
func notReady(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return &Error{Code: CodeNotReady, Message: e.Message}
	}
	return &Error{Code: CodeNotReady, Message: err.Error()}
}

// writeError answers with err as an *Error and logs it once: failures of
// the agent at error level, refusals at debug level.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: CodeInternal, Message: err.Error()}
	}
	log := logr.FromContextOrDiscard(r.Context()).WithValues("method", r.Method, "path", r.URL.Path)
	if e.Code == CodeInternal {
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
		body, _ = json.Marshal(&Error{Code: CodeInternal, Message: "encode response: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// A failed write means the client went away; there is no one to tell.
	_, _ = w.Write(body)
}
