// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package agentapi is the contract between the spiderpool CNI plugin and the
// spiderpool-agent on the same node: JSON over HTTP on a unix socket
// (default [DefaultSocketPath]), with every path under [APIPrefix] ("/v1").
// The package does not link net/http, so that the plugins that import it
// start fast: its [Client] sends HTTP/1.0 requests by hand, and the agent's
// server is package agentserver.
//
// The routes keep Spiderpool's paths where Spiderpool has them
// (docs/reference/interface.md §5.2):
//
//	GET    /v1/ipam/healthy  200 when ready, 503 NotReady with the reason otherwise
//	POST   /v1/ipam/ip       allocate: [AddRequest] -> [AddResponse]
//	DELETE /v1/ipam/ip       release one attachment: [DelRequest]
//	DELETE /v1/ipam/ips      release every address of a pod: [BatchDelRequest];
//	                         a conflict release is refused with 521 or 522, as in Spiderpool
//	POST   /v1/ipam/check    what the agent recorded: [CheckRequest] -> [CheckResponse]
//	POST   /v1/ipam/gc       CNI GC: [GCRequest]
//	GET    /v1/coordinator/config?podNamespace=&podName=
//	                         the coordinator plugin's configuration: [CoordinatorConfig],
//	                         served once the agent adds a [CoordinatorHandler]
//
// Errors travel as a JSON [Error] body with a small [Code] enum, each code
// with one HTTP status. The [Client] turns them back into *Error values for
// errors.As, and wraps transport failures in [ErrUnreachable].
//
// The agent implements [Handler] and serves it with agentserver.New; the
// server validates requests (naming the bad field) and refuses every IPAM
// call while [Handler.Healthy] reports an error, so a handler never serves
// before it has restored its state.
//
// [ReleaseQueue] is the on-disk queue of releases the plugin could not hand
// to the agent during CNI DEL; the agent drains it. Every entry carries the
// pod UID ([ErrNoPodUID]), and [ReleaseQueue.Drain] reports what it
// released, kept, gave up and set aside as corrupt, for the agent to log
// and count.
package agentapi
