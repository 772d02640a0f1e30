// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package poolview is the agent's ipam.PoolReader: it reads SpiderIPPools
// from a cache that watches their metadata only, and reads a pool whole
// from the API server when its spec changed or when the agent writes it,
// so that no agent decodes the other agents' record writes.
package poolview
