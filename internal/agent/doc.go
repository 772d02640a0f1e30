// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package agent wires spiderpool-agent: a controller-runtime cache that
// watches only what IPAM reads (this node's pods, this node, namespaces,
// pools, reserved IPs, endpoints, coordinators), the IPAM service of package ipam, the
// unix-socket API of package agentapi that the CNI plugin calls (and the
// coordinator plugin's configuration, answered from the cached
// SpiderCoordinator once its status is Synced), the HTTP
// health probes, the Prometheus metrics of package metrics (with
// SPIDERPOOL_ENABLED_METRIC, on every path of SPIDERPOOL_METRIC_HTTP_PORT;
// docs/metrics.md), and the drain of the on-disk release queue.
//
// Start-up order matters: the socket answers from the start, but Healthy
// reports not-ready (and every IPAM call is refused with NotReady, which the
// plugin maps to CNI "try again later") until the cache has synced and the
// service has restored every existing allocation. Only then are queued
// releases drained, so a release can never race a restore.
package agent
