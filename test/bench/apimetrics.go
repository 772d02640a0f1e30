// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"k8s.io/client-go/rest"
)

// spiderGroup is the API group whose requests the benchmark counts: only
// spiderpool-agent and spiderpool-controller touch it during a run.
const spiderGroup = "spiderpool.spidernet.io"

// APICounts are cumulative apiserver_request_total figures for the
// spiderpool.spidernet.io group.
type APICounts struct {
	// Requests is every request.
	Requests float64 `json:"requests"`
	// Writes is POST, PUT, PATCH and DELETE requests.
	Writes float64 `json:"writes"`
	// Conflicts is requests answered 409.
	Conflicts float64 `json:"conflicts"`
}

// Sub returns c minus an earlier snapshot.
func (c APICounts) Sub(earlier APICounts) APICounts {
	return APICounts{Requests: c.Requests - earlier.Requests, Writes: c.Writes - earlier.Writes, Conflicts: c.Conflicts - earlier.Conflicts}
}

// scrapeAPI reads the API server's /metrics with the admin credentials.
func scrapeAPI(ctx context.Context, cfg *rest.Config) (APICounts, error) {
	data, err := adminGet(ctx, cfg, "/metrics")
	if err != nil {
		return APICounts{}, fmt.Errorf("api metrics: %w", err)
	}
	return ParseAPICounts(bytes.NewReader(data))
}

// adminGet reads path from the API server with the admin credentials.
func adminGet(ctx context.Context, cfg *rest.Config, path string) ([]byte, error) {
	rt, err := rest.TransportFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("transport: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(cfg.Host, "/")+path, nil)
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", path, err)
	}
	defer func() { _ = resp.Body.Close() }() // read-only body: nothing to lose
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("get %s: %s", path, resp.Status)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}

// ParseAPICounts sums the apiserver_request_total samples of the
// spiderpool.spidernet.io group from Prometheus text exposition.
func ParseAPICounts(r io.Reader) (APICounts, error) {
	var c APICounts
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		labels, value, ok := parseSample(sc.Text(), "apiserver_request_total")
		if !ok || labels["group"] != spiderGroup {
			continue
		}
		c.Requests += value
		switch labels["verb"] {
		case "POST", "PUT", "PATCH", "DELETE":
			c.Writes += value
		}
		if labels["code"] == "409" {
			c.Conflicts += value
		}
	}
	if err := sc.Err(); err != nil {
		return APICounts{}, fmt.Errorf("read api metrics: %w", err)
	}
	return c, nil
}

// parseSample parses `name{k="v",...} value` for the given metric name.
// Label values holding commas, quotes or braces are not expected in
// apiserver_request_total and make the line be skipped.
func parseSample(line, name string) (map[string]string, float64, bool) {
	rest, ok := strings.CutPrefix(line, name+"{")
	if !ok {
		return nil, 0, false
	}
	body, tail, ok := strings.Cut(rest, "} ")
	if !ok {
		return nil, 0, false
	}
	labels := map[string]string{}
	for pair := range strings.SplitSeq(body, ",") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, 0, false
		}
		labels[k] = v[1 : len(v)-1]
	}
	fields := strings.Fields(tail)
	if len(fields) == 0 {
		return nil, 0, false
	}
	value, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return nil, 0, false
	}
	return labels, value, true
}
