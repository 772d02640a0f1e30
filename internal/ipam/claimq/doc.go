// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package claimq serves the agent's pool operations (allocate, release,
// adopt: internal/ipam/poolq's Op and Result) on SpiderIPClaims, the claim
// storage of docs/ipam.md ("The storage we choose next"): one object per
// allocated address, named after pool and address, so that the API
// server's create is the atomic claim and no agent ever writes a pool.
//
//   - Allocate returns an address the pod UID already claims in the pool
//     (an idempotent retry), else picks from the addresses neither claimed
//     nor recorded in a status someone else wrote (records Spiderpool wrote
//     and the controller has not adopted yet), drawn at random so that
//     agents allocating at once rarely race (internal/claims.Picker), and
//     creates its claim. The claims
//     come from an Index fed by the agent's watch, and the pool is decoded
//     once per resourceVersion, so an allocation's work does not grow with
//     the pool's claims. An
//     AlreadyExists means another agent won that address: the next one is
//     tried. "Pool full" is only reported from fresh reads of the pool and
//     its claims.
//   - Release deletes the claims of the listed addresses that the pod UID
//     holds, each with the resourceVersion it was read at as a
//     precondition: a claim another pod took meanwhile is never deleted.
//   - Adopt gives the claims of the listed addresses held under the same pod
//     name to the new UID (a re-created StatefulSet or KubeVirt pod), by a
//     conditional update.
//
// The controller projects the claims into the pools' status.allocatedIPs
// (internal/controller's ClaimProjector). The agent uses these queues
// instead of poolq's when SPIDERPOOL_CLAIM_STORAGE is set.
package claimq
