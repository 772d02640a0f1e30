// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"testing"
)

type recordWarnings []string

func (r *recordWarnings) HandleWarningHeaderWithContext(_ context.Context, _ int, _, text string) {
	*r = append(*r, text)
}

func TestQuietWarningsDropsOnlyTheFinalizerName(t *testing.T) {
	var got recordWarnings
	q := quietWarnings{next: &got}
	q.HandleWarningHeaderWithContext(t.Context(), 299, "", `metadata.finalizers: "spiderpool.spidernet.io": prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers`)
	q.HandleWarningHeaderWithContext(t.Context(), 299, "", `spiderpool.spidernet.io/v2beta1 SpiderIPPool is deprecated`)
	if len(got) != 1 || got[0] != `spiderpool.spidernet.io/v2beta1 SpiderIPPool is deprecated` {
		t.Fatalf("passed on %q, want only the deprecation warning", got)
	}
}
