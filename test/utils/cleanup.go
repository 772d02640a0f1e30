// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package utils

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// RemoveTestObjects removes what an envtest test made in namespace ns
// (envtest runs no garbage collector): its SpiderEndpoints, finalizers
// first, the named SpiderIPPools, its pods and its StatefulSets. It is
// best effort at the end of a test, so errors are not reported.
func RemoveTestObjects(ctx context.Context, c client.Client, ns string, pools []string) {
	var eps spiderpoolv2beta1.SpiderEndpointList
	_ = c.List(ctx, &eps, client.InNamespace(ns))
	for i := range eps.Items {
		ep := &eps.Items[i]
		_ = c.Patch(ctx, ep, client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`)))
		_ = c.Delete(ctx, ep)
	}
	for _, name := range pools {
		_ = c.Delete(ctx, &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: name}})
	}
	_ = c.DeleteAllOf(ctx, &corev1.Pod{}, client.InNamespace(ns), client.GracePeriodSeconds(0))
	_ = c.DeleteAllOf(ctx, &appsv1.StatefulSet{}, client.InNamespace(ns))
}
