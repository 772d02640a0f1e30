// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package utils

import (
	"testing"
	"time"
)

// Eventually polls check every 100 ms until it returns nil, failing t with
// check's last error once timeout has passed. It asserts an outcome, not a
// duration: timeouts are generous bounds for a loaded machine.
func Eventually(t testing.TB, timeout time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not after %s: %v", timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
