// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"testing"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestIPAMMalformedAnnotationFailsOnlyItsPod: of two pods created together
// on one node, the one with a malformed ippool annotation gets no address
// and an event naming the annotation; the other one runs.
func TestIPAMMalformedAnnotationFailsOnlyItsPod(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const ns, pool, poolRange = "ipam-anno", "e2e-anno", "10.250.27.10-10.250.27.19"
	createPool(t, ctx, ipPool(pool, 4, []string{poolRange}))
	createNamespaceMeta(t, ctx, ns, nil, nil)
	node := shared.lab.Nodes[0].Name
	bad := barePod(ns, "bad", node, nil, map[string]string{spiderpoolv2beta1.AnnoPodIPPool: "{not json"})
	good := barePod(ns, "good", node, nil, ippoolAnnotation([]string{pool}, nil))
	createPods(t, ctx, bad, good)

	assertPodIPs(t, waitPodRunning(t, ctx, ns, "good"), poolRange, "")
	msg := waitSandboxFailure(t, ctx, ns, "bad", spiderpoolv2beta1.AnnoPodIPPool)
	t.Logf("bad: %s", msg)
	assertNoIP(t, ctx, ns, "bad")
}
