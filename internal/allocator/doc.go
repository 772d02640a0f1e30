// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package allocator is the pure IP-allocation core: Spiderpool's IP range
// formats, an interval set of addresses, and a per-pool allocator.
//
// It has no Kubernetes imports, does no I/O, keeps no package-level state and
// iterates deterministically; all addresses are [net/netip] values. Callers
// (internal/ipam, the webhooks, the controller) own persistence, locking and
// policy such as SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS.
//
// # Formats (docs/reference/interface.md §2.1)
//
// A range string is a single address "10.6.0.10" or an inclusive range
// "10.6.0.10-10.6.0.20" (IPv6 likewise) with no spaces and start <= end.
// [MergeRanges] turns a list into sorted, deduplicated, minimal ranges, which
// is what Spiderpool's mutating webhooks store. A subnet must be canonical:
// net.ParseCIDR(x).String() == x, see [ParseCIDR].
//
// # Why interval sets
//
// A pool is a handful of ranges, and its allocations cluster, because
// Spiderpool hands out the lowest free address first
// (docs/reference/behaviour.md §2.1). So every set here (usable, allocated,
// free) is a sorted slice of disjoint, non-adjacent inclusive spans of
// 128-bit integers. A run of consecutive allocated addresses is one span,
// whatever its length.
//
// Cost model, with n the number of spans involved (not the number of
// addresses):
//   - membership, "next member at or after x", [Pool.NextFree],
//     [Pool.FirstFree], [Pool.IsAllocated]: O(log n), no allocation;
//   - [Pool.Allocate] and [Pool.Release]: O(log n) search; growing or
//     shrinking a span is done in place, and only creating or deleting a span
//     moves the spans after it (one memmove of up to 32 bytes per span,
//     independent of the pool's size: tens of microseconds at 20,000
//     scattered allocations, none when allocations are contiguous);
//   - [Set.Union], [Set.Subtract], [Set.Overlaps], [Pool.Restore]: linear in
//     the spans (Restore sorts its input first: O(k log k) for k addresses);
//   - counts use 128-bit arithmetic and saturate, because a /48 IPv6 pool has
//     2^80 addresses while Spiderpool's totalIPCount is an int64.
//
// Spiderpool v1.0 instead walks spec.ips address by address against a hash
// set of unavailable addresses, so each allocation costs O(used + excluded +
// position of the first gap) and a /10 pool was once slow enough to stall
// pod creation (docs/reference/behaviour.md §2.4). A bitmap would bound the
// walk but not the memory: a /16 needs 8 KiB, a /8 2 MiB, a /64 2^61 bytes
// and a /48 2^77 bytes, so IPv6 pools cannot be bitmapped at all.
//
// # Pool life cycle
//
// A [Pool] starts not ready. [Pool.Restore] loads the allocations read from
// the store (status.allocatedIPs); until then every query and mutation fails
// with [ErrNotReady], so no address is handed out before the existing ones are
// known. Restored addresses outside the usable set are kept as allocated, so
// they are never handed out even if the pool's ranges later grow over them.
// Network and broadcast addresses are not excluded (Spiderpool does not
// exclude them either).
//
// A Pool is not safe for concurrent use; the caller serialises access per
// pool, as Spiderpool's per-pool ticket limiter does.
package allocator
