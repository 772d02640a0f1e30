// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package crd_test

import (
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestEndpointsSelectableByNode: the API server selects SpiderEndpoints by
// status.current.node (the agent watches its own node's only), an endpoint
// leaves the selection when it moves, and a field the CRD does not declare
// is refused with BadRequest, the answer on which the agent falls back to
// watching every endpoint.
func TestEndpointsSelectableByNode(t *testing.T) {
	ns := namespace(t, "crd-select")
	here, there := newEndpoint(ns, "here-0"), newEndpoint(ns, "there-0")
	there.Status.Current.Node = "worker2"
	var got spiderpoolv2beta1.SpiderEndpoint
	create(t, here, &got)
	create(t, there, &spiderpoolv2beta1.SpiderEndpoint{})
	onWorker1 := func() []string {
		t.Helper()
		var list spiderpoolv2beta1.SpiderEndpointList
		if err := env.client.List(t.Context(), &list, client.InNamespace(ns),
			client.MatchingFields{"status.current.node": "worker1"}); err != nil {
			t.Fatalf("list by node: %v", err)
		}
		var names []string
		for _, ep := range list.Items {
			names = append(names, ep.Name)
		}
		return names
	}
	if names := onWorker1(); len(names) != 1 || names[0] != "here-0" {
		t.Errorf("endpoints of worker1: %v, want [here-0]", names)
	}
	got.Status.Current.Node = "worker3"
	if err := env.client.Update(t.Context(), &got); err != nil {
		t.Fatal(err)
	}
	if names := onWorker1(); len(names) != 0 {
		t.Errorf("endpoints of worker1 after the move: %v, want none", names)
	}
	var list spiderpoolv2beta1.SpiderEndpointList
	err := env.client.List(t.Context(), &list, client.MatchingFields{"status.current.uid": "x"})
	if !apierrors.IsBadRequest(err) {
		t.Errorf("list by an undeclared field: %v, want BadRequest", err)
	}
}
