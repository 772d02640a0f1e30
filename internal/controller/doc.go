// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package controller is spiderpool-controller: its command, its
// controller-runtime manager and its reconcilers.
//
// # Process (docs/reference/behaviour.md §9, docs/reference/interface.md §4.3, §5.3)
//
//   - Leader election on the Lease spiderpool-controller-leases in
//     SPIDERPOOL_POD_NAMESPACE, identity SPIDERPOOL_POD_NAME, with
//     SPIDERPOOL_LEADER_DURATION, _RENEW_DEADLINE and _RETRY_PERIOD. The
//     leader releases the Lease when it stops, so another replica takes over
//     within a retry period; when the leader dies instead, another takes
//     over once the Lease expires. A replica that loses the Lease while
//     running exits (controller-runtime's rule, so that no leader-only work
//     outlives the leadership) and is restarted by the kubelet; Spiderpool
//     instead re-ran its election after SPIDERPOOL_LEADER_RETRY_GAP, which is
//     therefore read but unused.
//   - Leader only: the SpiderIPPool status and finalizer controller
//     ([IPPoolReconciler], which also deletes the empty auto-created pools
//     of deleted applications), the SpiderSubnet controller
//     ([SubnetReconciler]: adoption, records, deletion) and, with
//     enableAutoPoolForApplication, one [AppReconciler] per application
//     kind that sizes auto-created pools through internal/autopool
//     (docs/subnet.md).
//   - Every replica: the webhook server on SPIDERPOOL_WEBHOOK_PORT (HTTPS,
//     certificate from the directory of --tls-server-cert, reloaded on
//     change), the serving-certificate controller of internal/certs, the
//     probes on SPIDERPOOL_HEALTH_PORT and, when SPIDERPOOL_ENABLED_METRIC is
//     true, the metrics on SPIDERPOOL_METRIC_HTTP_PORT (plain HTTP, every
//     path, as Spiderpool): controller-runtime's, the GC's and, filled by
//     the leader only, the pool and subnet gauges (docs/metrics.md).
//   - Probes, at Spiderpool's paths: /v1/runtime/startup and
//     /v1/runtime/liveness answer 200 while this replica's webhook server
//     answers GET /webhook-health-check; /v1/runtime/readiness also needs a
//     leader, i.e. a Lease holder whose term has not run out.
//
// # Pod creation never waits for this process
//
// Nothing on a pod's path to an IP calls the controller: the CNI plugin
// talks to the node's agent, and the agent writes pool status (a
// subresource no webhook intercepts) and SpiderEndpoints (no webhook). The
// webhooks served here guard Spiderpool's own CRDs, plus the optional pod
// webhook for network-resource injection, which the chart must register
// with failurePolicy Ignore.
package controller
