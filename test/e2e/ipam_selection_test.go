// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"testing"

	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Ranges of TestIPAMPoolSelection's pools; the lab's default-v6 is
// fd00:250::10-fd00:250::fff.
const (
	selPodRange   = "10.250.20.10-10.250.20.19"
	selPodsRange  = "10.250.20.20-10.250.20.29"
	selNSRange    = "10.250.20.30-10.250.20.39"
	selDefRange   = "10.250.20.40-10.250.20.49"
	selWildRange  = "10.250.20.50-10.250.20.59"
	labDefaultV6R = "fd00:250::10-fd00:250::fff"
)

// TestIPAMPoolSelection: each selection source gives the pod an address of
// its pool, and the stronger source wins: the ippools annotation over the
// ippool annotation, a pod annotation over the namespace's default pools,
// those over the cluster default pools; wildcards pick matching pools.
func TestIPAMPoolSelection(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const nsAnn, nsDef = "ipam-sel", "ipam-sel-def"
	createPool(t, ctx, ipPool("e2e-sel-pod", 4, []string{selPodRange}))
	createPool(t, ctx, ipPool("e2e-sel-pods", 4, []string{selPodsRange}))
	createPool(t, ctx, ipPool("e2e-sel-ns", 4, []string{selNSRange}))
	createPool(t, ctx, ipPool("e2e-selw-a", 4, []string{selWildRange}))
	// A cluster default pool only for nsDef: it sorts before default-v4
	// there (namespaceName is set) and is filtered out everywhere else.
	createPool(t, ctx, ipPool("e2e-sel-def", 4, []string{selDefRange}, func(p *spiderpoolv2beta1.SpiderIPPool) {
		p.Spec.Default, p.Spec.NamespaceName = ptr.To(true), []string{nsDef}
	}))
	createNamespaceMeta(t, ctx, nsAnn, nil, map[string]string{spiderpoolv2beta1.AnnoNSDefaultIPv4Pool: `["e2e-sel-ns"]`})
	createNamespaceMeta(t, ctx, nsDef, nil, nil)

	ippools := `[{"interface":"eth0","ipv4":["e2e-sel-pods"]}]`
	cases := []struct {
		ns, name     string
		annotations  map[string]string
		want4, want6 string
	}{
		{nsAnn, "by-ippool", ippoolAnnotation([]string{"e2e-sel-pod"}, nil), selPodRange, ""},
		{nsAnn, "by-ippools", map[string]string{spiderpoolv2beta1.AnnoPodIPPools: ippools}, selPodsRange, ""},
		{nsAnn, "ippools-over-ippool", map[string]string{
			spiderpoolv2beta1.AnnoPodIPPools: ippools,
			spiderpoolv2beta1.AnnoPodIPPool:  `{"ipv4":["e2e-sel-pod"]}`,
		}, selPodsRange, ""},
		{nsAnn, "by-namespace", nil, selNSRange, ""},
		{nsAnn, "by-wildcard", ippoolAnnotation([]string{"e2e-selw-*"}, nil), selWildRange, ""},
		{nsDef, "by-cluster-default", nil, selDefRange, labDefaultV6R},
		{nsDef, "pod-over-cluster-default", ippoolAnnotation([]string{"e2e-sel-pod"}, nil), selPodRange, ""},
	}
	for _, tc := range cases {
		createPods(t, ctx, barePod(tc.ns, tc.name, "", nil, tc.annotations))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertPodIPs(t, waitPodRunning(t, ctx, tc.ns, tc.name), tc.want4, tc.want6)
		})
	}
}
