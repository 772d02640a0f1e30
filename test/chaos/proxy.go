// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"

	"github.com/spiderpool-go/spiderpool/test/lab"
)

// Proxy stands between the agents and controllers and the API server. It
// serves the API server's own certificate (valid for 127.0.0.1), so the
// processes' kubeconfigs need only another port. Normally it forwards
// every request; Fail makes it answer one status code (500 or 429) to
// every request and cuts the requests in flight (watches), until Heal.
type Proxy struct {
	ln     net.Listener
	labDir string

	mu      sync.Mutex
	rp      *httputil.ReverseProxy
	cert    *tls.Certificate
	failing int
	cancel  context.CancelFunc
	ctx     context.Context
}

// NewProxy listens on a free loopback port; the lab in labDir need not be
// up yet: the proxy reads its state at the first request.
func NewProxy(labDir string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("chaos proxy: listen: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Proxy{ln: ln, labDir: labDir, ctx: ctx, cancel: cancel}
	srv := &http.Server{Handler: p, TLSConfig: &tls.Config{GetCertificate: p.certificate, MinVersion: tls.VersionTLS12}} //nolint:gosec // loopback test proxy, no slowloris concern
	go srv.ServeTLS(ln, "", "")                                                                                          //nolint:errcheck // ends when the listener closes
	return p, nil
}

// URL is the proxy's https URL (Options.ProcessServer).
func (p *Proxy) URL() string { return "https://" + p.ln.Addr().String() }

// Close stops listening.
func (p *Proxy) Close() error { p.cancel(); return p.ln.Close() }

// Fail makes the proxy answer code to every request and cuts the
// requests in flight.
func (p *Proxy) Fail(code int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failing = code
	p.cancel()
	p.ctx, p.cancel = context.WithCancel(context.Background())
}

// Heal makes the proxy forward again.
func (p *Proxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failing = 0
}

func (p *Proxy) certificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	if err := p.load(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cert, nil
}

// load reads the lab's state and certificates once.
func (p *Proxy) load() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rp != nil {
		return nil
	}
	l, err := lab.Load(p.labDir)
	if err != nil {
		return err
	}
	certFile, keyFile, caFile := l.ServingCertificate()
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return fmt.Errorf("chaos proxy: serving pair: %w", err)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return fmt.Errorf("chaos proxy: CA: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	target, err := url.Parse(l.Server())
	if err != nil {
		return fmt.Errorf("chaos proxy: API server URL: %w", err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true}
	rp.FlushInterval = -1
	rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusBadGateway) } // a cut watch is expected
	rp.ErrorLog = slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)                                            // so is a reset body copy
	p.rp, p.cert = rp, &cert
	return nil
}

// ServeHTTP forwards r, or answers the failing code.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := p.load(); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	p.mu.Lock()
	code, ctx, rp := p.failing, p.ctx, p.rp
	p.mu.Unlock()
	if code != 0 {
		failWith(w, code)
		return
	}
	r = r.WithContext(mergeCancel(r.Context(), ctx))
	rp.ServeHTTP(w, r)
}

// failWith writes a Kubernetes Status of code.
func failWith(w http.ResponseWriter, code int) {
	w.Header().Set("Content-Type", "application/json")
	if code == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	w.WriteHeader(code)
	_, _ = fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"chaos proxy answers %d","code":%d}`, code, code)
}

// mergeCancel is ctx, also cancelled when other is.
func mergeCancel(ctx, other context.Context) context.Context {
	merged, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(other, func() { cancel(errors.New("chaos proxy: fault started")) })
	context.AfterFunc(merged, func() { stop() })
	return merged
}
