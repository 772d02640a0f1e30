// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package metrics

import (
	"context"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/spiderpool-go/spiderpool/internal/httpserve"
)

// Handler returns the exposition handler of g. Spiderpool mounts it on
// every path of its metrics port, so /metrics and / both work.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError})
}

// Serve serves the metrics of g on every path of addr until ctx ends.
func Serve(ctx context.Context, addr string, g prometheus.Gatherer) error {
	if err := httpserve.ListenAndServe(ctx, addr, Handler(g)); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}
