// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestIPAMReservedAndExcludedIPs: a pool of ten addresses, three excluded
// and two reserved by a SpiderReservedIP, serves exactly the five others;
// a sixth replica gets no address and an event saying the pool is used up.
func TestIPAMReservedAndExcludedIPs(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const ns, pool = "ipam-rsv", "e2e-rsv"
	excluded := []string{"10.250.23.10", "10.250.23.13", "10.250.23.16"}
	reserved := []string{"10.250.23.11", "10.250.23.17"}
	free := []string{"10.250.23.12", "10.250.23.14", "10.250.23.15", "10.250.23.18", "10.250.23.19"}
	createCleaned(t, ctx, &spiderpoolv2beta1.SpiderReservedIP{
		ObjectMeta: metav1.ObjectMeta{Name: "e2e-rsv"},
		Spec:       spiderpoolv2beta1.ReservedIPSpec{IPVersion: ptr.To[int64](4), IPs: reserved},
	})
	createPool(t, ctx, ipPool(pool, 4, []string{"10.250.23.10-10.250.23.19"}, func(p *spiderpoolv2beta1.SpiderIPPool) {
		p.Spec.ExcludeIPs = excluded
	}))
	createNamespaceMeta(t, ctx, ns, nil, nil)
	d := deployment(ns, "rsv", 5)
	withPodAnnotations(d, ippoolAnnotation([]string{pool}, nil))
	createWorkload(t, ctx, d)

	pods := waitRunningPods(t, ctx, shared.c, ns, "rsv", 5)
	assertDistinctIPs(t, pods)
	for i := range pods {
		if ip := podIP(&pods[i], 4); !slices.Contains(free, ip) {
			t.Errorf("pod %s has %q; want one of the free addresses %v (excluded %v, reserved %v)",
				pods[i].Name, ip, free, excluded, reserved)
		}
	}

	scaleDeployment(t, ctx, d, 6)
	sixth := waitNewPod(t, ctx, ns, "rsv", pods)
	msg := waitSandboxFailure(t, ctx, ns, sixth, "all IP addresses used out", pool)
	t.Logf("%s: %s", sixth, msg)
	assertNoIP(t, ctx, ns, sixth)
	waitPoolRecords(t, ctx, pool, 5)
}
