// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"time"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// endpointNodeField is the field selector of a SpiderEndpoint's node: the
// CRD declares status.current.node a selectable field.
const endpointNodeField = "status.current.node"

// endpointScopeWait bounds the start-up question of scopeEndpoints.
const endpointScopeWait = 10 * time.Second

// scopeEndpoints reports whether the agent may watch only the
// SpiderEndpoints of its own node (docs/ipam.md, "What an agent
// reads"). That needs an API server with custom resource field selectors
// (Kubernetes 1.31 and later) and a CRD that declares the field; a CRD
// installed by Spiderpool does not, and Helm leaves an existing CRD as it
// is. So the API server is asked, with a list of at most one object, every
// second for up to wait: when it refuses the selector, or gives no answer,
// the agent watches every node's endpoints, as it always could; only its
// CPU differs.
func scopeEndpoints(ctx context.Context, api client.Reader, node string, wait time.Duration) bool {
	log := logr.FromContextOrDiscard(ctx)
	deadline := time.Now().Add(wait)
	for {
		err := listOneEndpoint(ctx, api, node)
		switch {
		case err == nil:
			log.Info("watching the SpiderEndpoints of this node only", "selector", endpointNodeField+"="+node)
			return true
		case apierrors.IsBadRequest(err):
			log.Info("the API server cannot select SpiderEndpoints by node (Kubernetes before 1.31, or a SpiderEndpoint CRD without the selectable field status.current.node); watching every node's endpoints",
				"reason", err.Error())
			return false
		case time.Now().After(deadline) || ctx.Err() != nil:
			log.Info("could not ask the API server whether SpiderEndpoints can be selected by node; watching every node's endpoints",
				"reason", err.Error())
			return false
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func listOneEndpoint(ctx context.Context, api client.Reader, node string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var list spiderpoolv2beta1.SpiderEndpointList
	return api.List(ctx, &list, client.MatchingFields{endpointNodeField: node}, client.Limit(1))
}
