// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Config shapes a chaos run.
type Config struct {
	// Seed drives every random choice of the run (schedule, targets, churn).
	Seed int64
	// ClaimStorage says the lab runs with SPIDERPOOL_CLAIM_STORAGE on: the
	// truth of who holds an address is its SpiderIPClaim, and the pools'
	// records are a projection that may lag (more while no controller
	// leads), so the checks read the claims.
	ClaimStorage bool
	// Duration is how long churn and faults go on.
	Duration time.Duration
	// Nodes is the lab's node count (for the report).
	Nodes int
	// Pods is the target pod count of the workloads.
	Pods int
	// EveryKindOnce injects each fault kind exactly once, spread over the
	// run, instead of a random stream.
	EveryKindOnce bool
	// Settle bounds the wait for workloads and GC after the run.
	Settle time.Duration
	// CtlBinary is spiderpoolctl, run as the last check.
	CtlBinary string
	// Namespace holds the workloads.
	Namespace string
}

// Env reads an environment variable with a default: the knobs of make chaos.
func Env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// EnvInt is Env parsed as an integer.
func EnvInt(name string, def int) (int, error) {
	v, err := strconv.Atoi(Env(name, strconv.Itoa(def)))
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not an integer: set a number, e.g. %s=%d", name, os.Getenv(name), name, def)
	}
	return v, nil
}

// EnvDuration is Env parsed as a duration.
func EnvDuration(name string, def time.Duration) (time.Duration, error) {
	v, err := time.ParseDuration(Env(name, def.String()))
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a duration: set e.g. %s=%s", name, os.Getenv(name), name, def)
	}
	return v, nil
}
