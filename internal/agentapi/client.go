// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// ErrBadResponse is returned when a 2xx answer of the agent does not decode
// or validate; it points at a version skew or a bug in the agent.
var ErrBadResponse = errors.New("malformed response from spiderpool-agent")

// Timeouts bound each kind of call, including the wait for the agent.
type Timeouts struct {
	Healthy, Add, Del, Check, GC time.Duration
}

// DefaultTimeouts are Spiderpool's for ADD (100 s) and DEL (30 s); the
// others are ours.
func DefaultTimeouts() Timeouts {
	return Timeouts{
		Healthy: 10 * time.Second,
		Add:     100 * time.Second,
		Del:     30 * time.Second,
		Check:   30 * time.Second,
		GC:      60 * time.Second,
	}
}

// Client calls the agent over its unix socket. Each call opens its own
// connection and sends one HTTP/1.0 request (exchange.go): the plugin makes
// one or two calls per process. It implements [Handler], so a Client can
// stand in for an agent.
type Client struct {
	socketPath string
	dialer     net.Dialer
	timeouts   Timeouts
}

var _ Handler = (*Client)(nil)

// ClientOption changes a Client built by [NewClient].
type ClientOption func(*Client)

// WithTimeouts replaces [DefaultTimeouts].
func WithTimeouts(t Timeouts) ClientOption {
	return func(c *Client) { c.timeouts = t }
}

// NewClient returns a client for the agent listening on socketPath.
func NewClient(socketPath string, opts ...ClientOption) *Client {
	c := &Client{socketPath: socketPath, timeouts: DefaultTimeouts()}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// SocketPath is the socket the client dials.
func (c *Client) SocketPath() string { return c.socketPath }

// Healthy returns nil when the agent is ready, an *Error with
// CodeNotReady and the agent's reason when it is not, and an error wrapping
// [ErrUnreachable] when it does not answer.
func (c *Client) Healthy(ctx context.Context) error {
	return c.do(ctx, methodGet, PathHealthy, c.timeouts.Healthy, nil, nil)
}

// Allocate asks for the addresses of an interface; the response is
// validated.
func (c *Client) Allocate(ctx context.Context, req *AddRequest) (*AddResponse, error) {
	resp := &AddResponse{}
	if err := c.do(ctx, methodPost, PathIP, c.timeouts.Add, req, resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// Release releases the addresses of an interface.
func (c *Client) Release(ctx context.Context, req *DelRequest) error {
	return c.do(ctx, methodDelete, PathIP, c.timeouts.Del, req, nil)
}

// ReleaseAll releases every address of a pod.
func (c *Client) ReleaseAll(ctx context.Context, req *BatchDelRequest) error {
	return c.do(ctx, methodDelete, PathIPs, c.timeouts.Del, req, nil)
}

// Check returns the agent's record for an interface; the response is
// validated.
func (c *Client) Check(ctx context.Context, req *CheckRequest) (*CheckResponse, error) {
	resp := &CheckResponse{}
	if err := c.do(ctx, methodPost, PathCheck, c.timeouts.Check, req, resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// GC sends the runtime's valid attachments.
func (c *Client) GC(ctx context.Context, req *GCRequest) error {
	return c.do(ctx, methodPost, PathGC, c.timeouts.GC, req, nil)
}

// do sends in (if any) as JSON and decodes a 2xx body into out (if any).
func (c *Client) do(ctx context.Context, method, path string, timeout time.Duration, in, out any) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encode the request to %s %s: %w", method, path, err)
		}
	}
	status, respBody, err := c.exchange(ctx, method, path, body)
	if err != nil {
		return fmt.Errorf("%w: %s %s: %w", ErrUnreachable, method, path, err)
	}
	if status < 200 || status > 299 {
		return ResponseError(status, respBody)
	}
	return decodeResult(respBody, out)
}

// decodeResult fills out from a 2xx body and validates it when it can.
func decodeResult(body []byte, out any) error {
	if out == nil {
		return nil
	}
	if err := decode(bytes.NewReader(body), out); err != nil {
		// %v, not %w: the decode error is an InvalidRequest *Error, which
		// would read as a fault of the plugin's request.
		return fmt.Errorf("%w: %v", ErrBadResponse, err) //nolint:errorlint // only ErrBadResponse may match, see above
	}
	if v, ok := out.(Validator); ok {
		if err := v.Validate(); err != nil {
			// %v for the same reason: Validate returns InvalidRequest *Errors.
			return fmt.Errorf("%w: %v", ErrBadResponse, err) //nolint:errorlint // only ErrBadResponse may match
		}
	}
	return nil
}

// ResponseError is the *Error a non-2xx response stands for: its [Error]
// body, or one made from the status when the body is not one (such as the
// server mux's plain-text 404).
func ResponseError(status int, body []byte) *Error {
	e := &Error{}
	if err := json.Unmarshal(body, e); err != nil || e.Code == "" {
		msg := strings.TrimSpace(string(body))
		if msg == "" {
			msg = fmt.Sprintf("HTTP status %d", status)
		}
		e = &Error{Code: codeForStatus(status), Message: msg}
	}
	e.HTTPStatus = status
	return e
}
