// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolq

import "errors"

// Sentinel errors of the queue, wrapped once with the pool they concern;
// internal/ipam exports them under the same names. A record or spec that
// cannot be parsed is store.ErrBadRecord.
var (
	// ErrNoPool is returned for an allocation from a terminating pool.
	ErrNoPool = errors.New("no IPPool available")

	// ErrPoolNotFound is returned when the pool does not exist (read from
	// the API server).
	ErrPoolNotFound = errors.New("IPPool not found")

	// ErrPoolExhausted is returned when the pool has no free address, as
	// read from the API server, or holds Deps.MaxRecords records.
	ErrPoolExhausted = errors.New("all IP addresses used out")
)
