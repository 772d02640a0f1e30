// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolview"
)

// named is a reader that records its name when asked.
type named struct {
	client.Reader
	name  string
	asked *string
}

func (n named) Get(context.Context, client.ObjectKey, client.Object, ...client.GetOption) error {
	*n.asked = n.name
	return nil
}

// TestRoutedReaderKeepsMetadataApart: the cache watches the pools'
// metadata only, so a pool's metadata is read from the cache and a whole
// pool from the API server (the cache has no informer of whole pools and
// would fail the read); a kind watched whole is read from the cache.
func TestRoutedReaderKeepsMetadataApart(t *testing.T) {
	scheme, err := newScheme()
	if err != nil {
		t.Fatal(err)
	}
	var asked string
	r, err := newRoutedReader(named{name: "cache", asked: &asked}, named{name: "api", asked: &asked}, scheme,
		cacheOptions("node1", true, false))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		obj  client.Object
		want string
	}{
		{poolview.NewMeta(), "cache"},
		{&spiderpoolv2beta1.SpiderIPPool{}, "api"},
		{&ipamclaimsv1alpha1.SpiderIPClaim{}, "cache"},
		{&corev1.Pod{}, "cache"},
		{&corev1.ConfigMap{}, "api"},
	} {
		if err := r.Get(t.Context(), client.ObjectKey{Name: "x"}, tc.obj); err != nil {
			t.Fatal(err)
		}
		if asked != tc.want {
			t.Errorf("a read of %T went to the %s; want the %s", tc.obj, asked, tc.want)
		}
	}
}
