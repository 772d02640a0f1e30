// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"context"
	"slices"

	"github.com/spiderpool-go/spiderpool/test/lab"
)

// buildEnv is the Build.AgentEnv the lab's agents run with now.
type buildEnv struct{ applied []string }

// set restarts the lab's agents with want in place of the entries the
// previous build added, unless they already run with it.
func (e *buildEnv) set(ctx context.Context, l *lab.Lab, want []string) error {
	if slices.Equal(e.applied, want) {
		return nil
	}
	l.AgentEnv = append(withoutEntries(l.AgentEnv, e.applied), want...)
	e.applied = slices.Clone(want)
	return l.RestartAgents(ctx)
}

// withoutEntries returns env without the entries of drop, as a new slice.
func withoutEntries(env, drop []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return slices.Contains(drop, kv) })
}
