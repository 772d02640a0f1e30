// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// listReader answers Get for the kinds the GC's judgement reads (pods,
// SpiderEndpoints, nodes, StatefulSets) from lists taken once, so that
// "check" costs four lists instead of a few reads per pod. Other kinds
// (KubeVirt) and List go to the API server.
type listReader struct {
	client.Reader
	pods         map[client.ObjectKey]*corev1.Pod
	endpoints    map[client.ObjectKey]*spiderpoolv2beta1.SpiderEndpoint
	nodes        map[client.ObjectKey]*corev1.Node
	statefulSets map[client.ObjectKey]*appsv1.StatefulSet
}

var _ client.Reader = (*listReader)(nil)

// newListReader lists the kinds through r. The endpoints are the
// snapshot's; pods are listed after it, so that a pod created after its
// pool record was read is seen (the GC reads in the same order).
func newListReader(ctx context.Context, r client.Reader, s *Snapshot) (*listReader, error) {
	lr := &listReader{
		Reader: r, pods: map[client.ObjectKey]*corev1.Pod{}, endpoints: map[client.ObjectKey]*spiderpoolv2beta1.SpiderEndpoint{},
		nodes: map[client.ObjectKey]*corev1.Node{}, statefulSets: map[client.ObjectKey]*appsv1.StatefulSet{},
	}
	for i := range s.Endpoints {
		lr.endpoints[client.ObjectKeyFromObject(&s.Endpoints[i])] = &s.Endpoints[i]
	}
	var pods corev1.PodList
	var nodes corev1.NodeList
	var sets appsv1.StatefulSetList
	for _, l := range []client.ObjectList{&pods, &nodes, &sets} {
		if err := r.List(ctx, l); err != nil {
			return nil, fmt.Errorf("list %T: %w", l, err)
		}
	}
	index(lr.pods, pods.Items)
	index(lr.nodes, nodes.Items)
	index(lr.statefulSets, sets.Items)
	return lr, nil
}

// index adds pointers to items to m, by key.
func index[T any, PT interface {
	*T
	client.Object
}](m map[client.ObjectKey]PT, items []T) {
	for i := range items {
		p := PT(&items[i])
		m[client.ObjectKeyFromObject(p)] = p
	}
}

// Get copies the listed object into obj, or returns NotFound.
func (lr *listReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	switch o := obj.(type) {
	case *corev1.Pod:
		return copyFound(lr.pods[key], o, "pods", key)
	case *spiderpoolv2beta1.SpiderEndpoint:
		return copyFound(lr.endpoints[key], o, "spiderendpoints", key)
	case *corev1.Node:
		return copyFound(lr.nodes[key], o, "nodes", key)
	case *appsv1.StatefulSet:
		return copyFound(lr.statefulSets[key], o, "statefulsets", key)
	}
	return lr.Reader.Get(ctx, key, obj, opts...)
}

// copyFound deep-copies src into dst, or returns NotFound when src is nil.
func copyFound[T any, PT interface {
	*T
	DeepCopyInto(PT)
}](src, dst PT, resource string, key client.ObjectKey) error {
	if src == nil {
		return apierrors.NewNotFound(schemaResource(resource), key.Name)
	}
	src.DeepCopyInto(dst)
	return nil
}

func schemaResource(resource string) schema.GroupResource {
	return schema.GroupResource{Resource: resource}
}
