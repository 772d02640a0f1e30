// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"fmt"
	"strings"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// maxListed is how many items a message lists before "and N more": enough
// to act on, short enough to read in kubectl's output.
const maxListed = 3

// listSome joins the first maxListed items with ", " and says how many of
// total there are besides; items may hold fewer than total.
func listSome(items []string, total int) string {
	if len(items) > maxListed {
		items = items[:maxListed]
	}
	joined := strings.Join(items, ", ")
	if rest := total - len(items); rest > 0 {
		return fmt.Sprintf("%s and %d more", joined, rest)
	}
	return joined
}

// describeSet lists the first ranges of s, e.g. "10.6.0.10-10.6.0.20,
// 10.6.0.40 and 2 more".
func describeSet(s *allocator.Set) string {
	if s.IsEmpty() {
		return "no IPs"
	}
	ranges := s.Ranges()
	items := make([]string, 0, maxListed)
	for _, r := range ranges[:min(len(ranges), maxListed)] {
		items = append(items, r.String())
	}
	return listSome(items, len(ranges))
}
