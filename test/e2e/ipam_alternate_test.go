// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"testing"
)

// TestIPAMAlternatePool: with the pools ["small","big"] and small holding
// two addresses, five replicas take both of small and three of big.
func TestIPAMAlternatePool(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const ns, smallRange, bigRange = "ipam-alt", "10.250.22.10-10.250.22.11", "10.250.22.20-10.250.22.29"
	createPool(t, ctx, ipPool("e2e-alt-small", 4, []string{smallRange}))
	createPool(t, ctx, ipPool("e2e-alt-big", 4, []string{bigRange}))
	createNamespaceMeta(t, ctx, ns, nil, nil)
	d := deployment(ns, "alt", 5)
	withPodAnnotations(d, ippoolAnnotation([]string{"e2e-alt-small", "e2e-alt-big"}, nil))
	createWorkload(t, ctx, d)

	pods := waitRunningPods(t, ctx, shared.c, ns, "alt", 5)
	assertDistinctIPs(t, pods)
	inSmall, inBig := 0, 0
	for i := range pods {
		switch ip := podIP(&pods[i], 4); {
		case mustRange(smallRange).contains(ip):
			inSmall++
		case mustRange(bigRange).contains(ip):
			inBig++
		default:
			t.Errorf("pod %s has %q, in neither pool", pods[i].Name, ip)
		}
		if ip6 := podIP(&pods[i], 6); ip6 != "" {
			t.Errorf("pod %s has IPv6 %s; the annotation names no IPv6 pool", pods[i].Name, ip6)
		}
	}
	if inSmall != 2 || inBig != 3 {
		t.Errorf("%d pods from small and %d from big; want 2 and 3", inSmall, inBig)
	}
	for name, want := range map[string]int{"e2e-alt-small": 2, "e2e-alt-big": 3} {
		waitPoolRecords(t, ctx, name, want)
	}
}
