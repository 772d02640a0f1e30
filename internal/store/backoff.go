// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package store

import (
	"math/rand/v2"
	"time"
)

// Backoff is a capped exponential backoff with jitter, used between the
// retries of a write that lost an optimistic-concurrency race.
type Backoff struct {
	// Initial is the first delay.
	Initial time.Duration
	// Max caps the delay before jitter.
	Max time.Duration
	// Factor multiplies the delay after each attempt (>= 1).
	Factor float64
	// Jitter adds up to this fraction of the delay at random (0..1).
	Jitter float64
}

// DefaultBackoff starts at 5ms and doubles up to 500ms, with up to 100%
// jitter so that writers that lost the same race spread out.
var DefaultBackoff = Backoff{Initial: 5 * time.Millisecond, Max: 500 * time.Millisecond, Factor: 2, Jitter: 1}

// Delay returns the wait before retry number attempt (0-based).
func (b Backoff) Delay(attempt int) time.Duration {
	d := float64(b.Initial)
	for i := 0; i < attempt && d < float64(b.Max); i++ {
		d *= max(b.Factor, 1)
	}
	d = min(d, float64(b.Max))
	return time.Duration(d * (1 + b.Jitter*rand.Float64())) //nolint:gosec // jitter needs no crypto
}
