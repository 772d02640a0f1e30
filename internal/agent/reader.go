// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolview"
)

// cacheOptions limits what the agent watches (docs/compatibility.md #8): its
// own node's pods and its own Node, plus the cluster-scoped IPAM objects,
// namespaces, endpoints and the SpiderCoordinators. Nothing else gets an
// informer. SpiderIPPools are watched as metadata only (internal/ipam/poolview).
// With the claim storage on (claimStorage), SpiderIPClaims are watched too,
// whole: a metadata-only watch costs the API server a conversion per
// watcher and event (docs/benchmarks.md, "Agents watch the claims'
// metadata only"). With scoped (scopeEndpoints), only the SpiderEndpoints
// that record this node are: the IPAM service reads any other from the API
// server.
func cacheOptions(node string, claimStorage, scoped bool) cache.Options {
	var endpoints cache.ByObject
	if scoped {
		endpoints.Field = fields.OneTermEqualSelector(endpointNodeField, node)
	}
	o := cache.Options{
		ReaderFailOnMissingInformer: true,
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Pod{}:                          {Field: fields.OneTermEqualSelector("spec.nodeName", node)},
			&corev1.Node{}:                         {Field: fields.OneTermEqualSelector("metadata.name", node)},
			&corev1.Namespace{}:                    {},
			poolview.NewMeta():                     {},
			&spiderpoolv2beta1.SpiderReservedIP{}:  {},
			&spiderpoolv2beta1.SpiderEndpoint{}:    endpoints,
			&spiderpoolv2beta1.SpiderCoordinator{}: {},
		},
	}
	if claimStorage {
		o.ByObject[&ipamclaimsv1alpha1.SpiderIPClaim{}] = cache.ByObject{}
	}
	return o
}

// routedReader reads the kinds the cache watches from the cache and every
// other kind (a pod's ReplicaSet or Job, say) from the API server, so that
// a lookup never starts a cluster-wide informer. A kind watched as
// metadata only is read from the cache as metadata and from the API server
// whole.
type routedReader struct {
	cache  client.Reader
	api    client.Reader
	scheme *runtime.Scheme
	cached map[cachedKind]bool
}

// cachedKind is a kind the cache watches, whole or as metadata only.
type cachedKind struct {
	gvk  schema.GroupVersionKind
	meta bool
}

func newRoutedReader(c, api client.Reader, scheme *runtime.Scheme, co cache.Options) (*routedReader, error) {
	r := &routedReader{cache: c, api: api, scheme: scheme, cached: map[cachedKind]bool{}}
	for obj := range co.ByObject {
		gvk, err := apiutil.GVKForObject(obj, scheme)
		if err != nil {
			return nil, fmt.Errorf("agent cache kinds: %w", err)
		}
		meta := isMeta(obj)
		r.cached[cachedKind{gvk, meta}] = true
		r.cached[cachedKind{gvk.GroupVersion().WithKind(gvk.Kind + "List"), meta}] = true
	}
	return r, nil
}

func (r *routedReader) pick(obj runtime.Object) client.Reader {
	gvk, err := apiutil.GVKForObject(obj, r.scheme)
	if err == nil && r.cached[cachedKind{gvk, isMeta(obj)}] {
		return r.cache
	}
	return r.api
}

// isMeta reports whether obj is a metadata-only object or list.
func isMeta(obj runtime.Object) bool {
	switch obj.(type) {
	case *metav1.PartialObjectMetadata, *metav1.PartialObjectMetadataList:
		return true
	}
	return false
}

// Get implements client.Reader.
func (r *routedReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	return r.pick(obj).Get(ctx, key, obj, opts...)
}

// List implements client.Reader.
func (r *routedReader) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	return r.pick(list).List(ctx, list, opts...)
}
