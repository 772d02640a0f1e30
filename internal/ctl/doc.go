// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package ctl is spiderpoolctl: a command-line view of Spiderpool's IPAM
// records (the SpiderIPPools' status.allocatedIPs and the SpiderEndpoints)
// and a safe way to repair them.
//
// Every verb reads through a controller-runtime client; only "ip release"
// writes, and each of its writes is conditional: a pool's status is written
// with the resourceVersion read and re-read on conflict, and a record is
// removed only while it still names the pod UID that was judged dead.
//
// Liveness is the garbage collector's (internal/gc, gc.Judge): what "check"
// calls a leak is what the controller's GC would release, and a StatefulSet
// pod's addresses that the GC keeps for the next pod of the same name are
// reported as kept by design.
//
// With the claim storage (docs/ipam.md, SpiderIPClaims), "check" also
// judges every claim's holder and compares the claims with their pools'
// records, the claims' projection; a cluster without the SpiderIPClaim CRD
// has no claims, and nothing changes there.
//
// "migrate check" adds, before a Spiderpool cluster is switched over
// (docs/migration.md), what would block adopting its state: unnamed NIC
// entries, pools over our limits, drifted counts and Spiderpool Helm
// releases whose uninstall would run the pre-delete cleanup.
//
// The verbs return plain structs (PoolRow, IPReport, PodReport,
// CheckReport, ReleaseReport) that render as tables, JSON or YAML; Main
// wires them into a cobra command tree with exit codes 0 (clean), 1
// (problems found, or a release refused) and 2 (error).
package ctl
