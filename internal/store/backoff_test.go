// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package store

import (
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Initial: 10 * time.Millisecond, Max: 80 * time.Millisecond, Factor: 2, Jitter: 0.5}
	for attempt, base := range []time.Duration{10, 20, 40, 80, 80, 80} {
		base *= time.Millisecond
		for range 20 {
			if d := b.Delay(attempt); d < base || d > base*3/2 {
				t.Fatalf("Delay(%d) = %v, want in [%v, %v]", attempt, d, base, base*3/2)
			}
		}
	}
}
