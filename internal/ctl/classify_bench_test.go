// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"fmt"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/gc"
)

// BenchmarkClassify measures the pure part of "check" on n pods with one
// record and one endpoint address each, a tenth of them leaked.
func BenchmarkClassify(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("pods=%d", n), func(b *testing.B) {
			records := make([]Record, 0, n)
			claims := make([]Claim, 0, n)
			verdicts := make(map[incarnation]gc.Judgement, n)
			for i := range n {
				ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
				pod := fmt.Sprintf("ns/pod-%d", i)
				uid := fmt.Sprintf("uid-%d", i)
				records = append(records, rec("p", ip, pod, uid))
				claims = append(claims, claim("p", ip, pod, uid))
				verdicts[inc(pod, uid)] = alive
				if i%10 == 0 {
					verdicts[inc(pod, uid)] = gone
				}
			}
			b.ResetTimer()
			for b.Loop() {
				fs := classify(records, claims, verdicts)
				sortFindings(fs)
			}
		})
	}
}
