// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolq

import (
	"slices"
	"strings"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Reserved is the union of all SpiderReservedIP ranges per IP family:
// they are never handed out by any pool of that family
// (docs/reference/behaviour.md §2.1).
type Reserved struct {
	v4, v6 []string
	// key identifies the content, to notice when a pool's usable set must
	// be recomputed.
	key string
}

// NewReserved returns the reserved ranges v4 and v6, which must parse as
// ranges of their family (a pool's allocations fail otherwise). It keeps
// the slices.
func NewReserved(v4, v6 []string) Reserved {
	slices.Sort(v4)
	slices.Sort(v6)
	return Reserved{v4: v4, v6: v6, key: strings.Join(v4, ",") + "|" + strings.Join(v6, ",")}
}

// of returns the ranges of version v.
func (r Reserved) of(v int64) []string {
	if v == spiderpoolv2beta1.IPv4 {
		return r.v4
	}
	return r.v6
}

// Key identifies the reserved ranges: equal keys, equal ranges.
func (r Reserved) Key() string { return r.key }
