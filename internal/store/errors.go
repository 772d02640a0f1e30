// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package store

import (
	"context"
	"errors"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

var (
	// ErrConflict is returned by a Store when a write lost an optimistic
	// concurrency race: the object changed since it was read (HTTP 409),
	// or it already exists on create. The writer re-reads and retries.
	ErrConflict = errors.New("object changed since it was read")

	// ErrClaimStorage is returned by a Store asked to write the records of
	// a pool that the claim storage keeps (claims.Kept): its claims, not
	// its status, say who holds an address, so a writer that does not read
	// them would hand out addresses twice. Not retried: the caller's
	// storage setting is wrong.
	ErrClaimStorage = errors.New("the pool's addresses are kept by the claim storage")

	// ErrBadRecord is returned when a pool or endpoint record cannot be
	// parsed or contradicts another record (Spiderpool's "data broken").
	ErrBadRecord = errors.New("inconsistent IPAM record")
)

// Ambiguous reports whether a failed write may still have been applied,
// so that its outcome must be learnt from a fresh read: no answer at all
// (client timeout, connection lost), or an answer that the API server
// gives for writes etcd may commit afterwards: 500 (etcd request timed
// out, leader changed), 504 and the Timeout/ServerTimeout reasons, and
// any other 5xx, which a proxy or load balancer in front of the API server
// answers when it lost the API server's answer (502, 503) after the write
// was sent. Conflicts and every other status (4xx, including 429, which is
// answered before the request is processed) are definite: the write did
// not land. So is a write refused for its size (TooLarge), although etcd's
// refusal comes as a 500.
func Ambiguous(err error) bool {
	if err == nil || errors.Is(err, ErrConflict) || TooLarge(err) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return true
	}
	return apierrors.IsInternalError(err) || apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err) ||
		status.Status().Code >= 500
}

// TooLarge reports whether the API server refused a write for its size:
// etcd's request limit (--max-request-bytes, 1.5 MiB by default) answers
// 500 "etcdserver: request is too large", the API server's own body limit
// (3 MiB) 413. Both refuse before anything is stored, so the write did not
// land, and sending it again fails the same way.
func TooLarge(err error) bool {
	return apierrors.IsRequestEntityTooLargeError(err) ||
		(apierrors.IsInternalError(err) && strings.Contains(err.Error(), "request is too large"))
}

// TooLargeFix is what to do about a pool status too large to store, for
// the messages of the pool storage's write and of the claim projector.
const TooLargeFix = "lower SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS (5000, the default, fits) or split the addresses into several pools"
