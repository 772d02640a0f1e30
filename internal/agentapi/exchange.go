// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// The methods of the API.
const (
	methodGet    = "GET"
	methodPost   = "POST"
	methodDelete = "DELETE"
)

// maxHeaderBytes bounds the status line and headers of a response.
const maxHeaderBytes = 64 << 10

// errTruncated is a response shorter than its Content-Length: the agent
// went away while answering.
var errTruncated = errors.New("the response ends before its Content-Length")

// exchange sends one request on a new connection to the socket and returns
// the response's status and body.
//
// It speaks HTTP/1.0 by hand instead of using net/http, whose package
// initialisers and size cost the plugin a fifth of its CPU per call
// (docs/benchmarks.md, "Plugin CPU per ADD without net/http"). HTTP/1.0 keeps it small: the
// server closes the connection after its answer and never chunks it, so
// the body is what follows the headers, checked against Content-Length when
// the server sends one. Any HTTP/1.1 server (the agent's is net/http's)
// answers such a request.
func (c *Client) exchange(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	conn, err := c.dialer.DialContext(ctx, "unix", c.socketPath)
	if err != nil {
		return 0, nil, withContext(ctx, err)
	}
	defer func() { _ = conn.Close() }() // the response is read, or the call failed
	// The end of ctx (its deadline included) ends a blocked read or write;
	// ctx.Err() is set by then, so withContext reports it.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := conn.Write(request(method, path, body)); err != nil {
		return 0, nil, withContext(ctx, fmt.Errorf("send: %w", err))
	}
	raw, err := io.ReadAll(io.LimitReader(conn, maxHeaderBytes+MaxBodyBytes))
	if err != nil {
		return 0, nil, withContext(ctx, fmt.Errorf("read the response: %w", err))
	}
	status, respBody, err := parseResponse(raw)
	if err != nil {
		return 0, nil, fmt.Errorf("read the response: %w", err)
	}
	return status, respBody, nil
}

// withContext prefers the context's error to the socket's timeout it
// caused, so that errors.Is finds context.DeadlineExceeded.
func withContext(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return err
}

// request is the HTTP/1.0 request for method, path and body. The host is
// not used for routing: the socket is the agent.
func request(method, path string, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.0\r\nHost: spiderpool-agent\r\n", method, path)
	if body != nil {
		fmt.Fprintf(&b, "Content-Type: application/json\r\nContent-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// parseResponse splits a whole HTTP/1.x response into its status and body.
func parseResponse(raw []byte) (int, []byte, error) {
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		return 0, nil, fmt.Errorf("no end of headers in %d bytes", len(raw))
	}
	lines := strings.Split(string(head), "\r\n")
	proto, rest, _ := strings.Cut(lines[0], " ")
	code, _, _ := strings.Cut(rest, " ")
	status, err := strconv.Atoi(code)
	if !strings.HasPrefix(proto, "HTTP/1.") || err != nil || status < 100 || status > 999 {
		return 0, nil, fmt.Errorf("malformed status line %q", lines[0])
	}
	for _, line := range lines[1:] {
		name, value, _ := strings.Cut(line, ":")
		if !strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(value))
		switch {
		case err != nil || n < 0:
			return 0, nil, fmt.Errorf("malformed Content-Length %q", value)
		case len(body) < n:
			return 0, nil, errTruncated
		default:
			body = body[:n]
		}
	}
	return status, body, nil
}
