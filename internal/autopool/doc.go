// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package autopool creates and sizes the SpiderIPPools that a SpiderSubnet
// hands to an application (docs/reference/behaviour.md §5, docs/subnet.md).
//
// Public contract, shared by spiderpool-controller (the application and
// subnet controllers) and spiderpool-agent (pods of third-party
// controllers, on CNI ADD):
//   - [App], [AppOf], [ThirdPartyApp], [ParseApplication]: who owns a pool;
//   - [PoolName], [PoolLabels], [MatchLabels], [FindAppPools],
//     [AffinityLabels]: how such a pool is named, labelled and found;
//   - [PreAllocate], [ErrFreeIPsNotEnough], [ErrSubnetIPsNotEnough]: the
//     arithmetic of taking IPs from a subnet;
//   - [Reconciler] with [Reconciler.Ensure] and
//     [Reconciler.DeleteReclaimable]: write the subnet's record first, then
//     the pool.
//
// Everything except [Reconciler] is pure: no I/O. The names, labels,
// annotation and podAffinity are exactly those Spiderpool v1.0 writes, so
// label selectors written for Spiderpool keep working.
package autopool
