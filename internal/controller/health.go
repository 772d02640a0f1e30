// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/spiderpool-go/spiderpool/internal/httpserve"
)

// WebhookHealthPath is served by the webhook server with 200, as
// Spiderpool's; the probes call it on this replica.
const WebhookHealthPath = "/webhook-health-check"

// Spiderpool's probe paths (docs/reference/interface.md §5.3).
const (
	StartupPath   = "/v1/runtime/startup"
	ReadinessPath = "/v1/runtime/readiness"
	LivenessPath  = "/v1/runtime/liveness"
)

// probeTimeout bounds one call of the webhook server by a probe.
const probeTimeout = 3 * time.Second

// check is one health condition.
type check func(context.Context) error

// healthServer serves the probes. It runs on every replica.
type healthServer struct {
	addr string
	// webhook checks that this replica's webhook server answers.
	webhook check
	// leader checks that some replica leads.
	leader check
}

// NeedLeaderElection implements manager.LeaderElectionRunnable: the probes
// run on every replica.
func (*healthServer) NeedLeaderElection() bool { return false }

// Start implements manager.Runnable: it serves until ctx ends.
func (h *healthServer) Start(ctx context.Context) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+StartupPath, serveChecks(h.webhook))
	mux.HandleFunc("GET "+LivenessPath, serveChecks(h.webhook))
	mux.HandleFunc("GET "+ReadinessPath, serveChecks(h.webhook, h.leader))
	if err := httpserve.ListenAndServe(ctx, h.addr, mux); err != nil {
		return fmt.Errorf("health probes: %w", err)
	}
	return nil
}

// serveChecks answers 200 when every check passes, else 500 with the
// first failure.
func serveChecks(checks ...check) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, c := range checks {
			if err := c(r.Context()); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	}
}

// webhookCheck returns a check that GET https://localhost:<port>/webhook-health-check
// answers 200. It checks that this process serves HTTPS, not who it is, so
// the certificate is not verified: the API server does that with the
// caBundle.
func webhookCheck(port int) check {
	url := "https://" + net.JoinHostPort("localhost", strconv.Itoa(port)) + WebhookHealthPath
	hc := &http.Client{Timeout: probeTimeout, Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, // liveness of our own loopback server
		DisableKeepAlives: true,
	}}
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("webhook server: %w", err)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return fmt.Errorf("webhook server: %w", err)
		}
		defer resp.Body.Close() //nolint:errcheck // read-only body
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%w: webhook server answered %s", errUnhealthy, resp.Status)
		}
		return nil
	}
}

// errUnhealthy is returned by a check whose target answered with an error.
var errUnhealthy = errors.New("unhealthy")

// serveWebhookHealth is the webhook server's handler of WebhookHealthPath.
func serveWebhookHealth(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusOK)
}
