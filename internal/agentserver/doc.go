// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package agentserver serves an [agentapi.Handler] (the spiderpool-agent)
// over HTTP on the agent's unix socket: the routes, the request decoding
// and validation, the readiness gate and the JSON error bodies that
// package agentapi defines.
//
// It lives apart from agentapi so that the CNI plugins, which import
// agentapi for its types and its client, do not link net/http: its
// package initialisers and its size cost the plugin a fifth of its CPU per
// call (docs/benchmarks.md, "Plugin CPU per ADD without net/http").
package agentserver
