// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package claims is the pure core of the claim storage (docs/ipam.md, "The
// storage we choose next"): one SpiderIPClaim object per allocated address
// is the truth, and a pool's status.allocatedIPs is a projection of its
// claims written by the elected controller.
//
// It holds no Kubernetes client and does no I/O:
//
//   - [Name], [ParseName], [EncodeAddr], [DecodeAddr] and [PoolLabelValue]:
//     how a claim is named after its pool and address, and labelled with its
//     pool;
//   - [Picker]: which free address a node's agent tries first, and next;
//   - [Project], [Digest] and [Foreign]: the pool's records as its claims
//     make them, and which records without a claim are adopted (written by
//     someone else) or dropped (their claim was deleted).
//
// # Names
//
// A claim is named "<pool>.<address>", the address's '.' and ':' spelled '-'
// (pool p1: 10.0.0.5 is "p1.10-0-0-5", fd00::5 is "p1.fd00--5"). An IPv6
// address that starts or ends with "::" gets a '0' there ("::1" is "0--1",
// "fd00::" is "fd00--0"), since a name part may neither start nor end with
// '-'. Pool names may hold dots, so a name is parsed from its last dot. The
// name of one address of one pool is unique, so the API server's create is
// the atomic allocation: AlreadyExists means another holder won it.
//
// A name is at most 253 characters. When "<pool>.<address>" would be
// longer, the pool part is replaced by [HashPool]: the first 32 hexadecimal
// digits of the SHA-256 of the pool's name. spec.pool always holds the real
// pool, and the label ipam.spiderpool-go.io/pool holds [PoolLabelValue]: the
// pool's name, or the same hash when the name is longer than a label value
// may be (63 characters). A label selector on it lists a pool's claims; a
// reader that needs certainty compares spec.pool.
package claims
