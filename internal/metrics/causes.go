// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package metrics

import (
	"context"
	"errors"

	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// Cause is the failure cause a failed IPAM call is counted under, after
// Spiderpool's error kinds (docs/reference/behaviour.md §1.8).
type Cause uint8

const (
	// CauseInternal is any other failure: the API server, a broken record,
	// the service not ready yet (spiderpool_ipam_*_err_internal_counts).
	CauseInternal Cause = iota
	// CauseNoAvailablePool is no candidate pool left, or a named pool
	// missing (spiderpool_ipam_allocation_err_no_available_pool_counts).
	CauseNoAvailablePool
	// CauseRetriesExhausted is a call that ran out of time retrying
	// conflicts, and, as in Spiderpool, input the user must fix: a
	// malformed annotation or a pod that is not alive
	// (spiderpool_ipam_*_err_retries_exhausted_counts).
	CauseRetriesExhausted
	// CauseIPUsedOut is every candidate pool full
	// (spiderpool_ipam_allocation_err_ip_used_out_counts).
	CauseIPUsedOut
)

// AllocationCause classifies an error of ipam.Service.Allocate. An error
// that joins several (a failure and its rollback) is counted once, under
// the first cause in the order used out, no pool, retries or input, internal.
func AllocationCause(err error) Cause {
	var annoErr *annotation.Error
	switch {
	case errors.Is(err, ipam.ErrPoolExhausted):
		return CauseIPUsedOut
	case errors.Is(err, ipam.ErrNoPool), errors.Is(err, ipam.ErrPoolNotFound):
		return CauseNoAvailablePool
	case errors.As(err, &annoErr), errors.Is(err, ipam.ErrPodNotAlive), gaveUp(err):
		return CauseRetriesExhausted
	}
	return CauseInternal
}

// ReleaseCause classifies an error of ipam.Service.Release: out of time,
// or internal; Spiderpool counts no other release cause.
func ReleaseCause(err error) Cause {
	if gaveUp(err) {
		return CauseRetriesExhausted
	}
	return CauseInternal
}

// gaveUp reports whether the call ended because its context did: the
// service retries conflicts for as long as the caller waits, so this is
// its "retries exhausted".
func gaveUp(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}
