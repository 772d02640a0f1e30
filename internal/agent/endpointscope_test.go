// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestScopeEndpoints: the agent watches its own node's endpoints only when
// the API server answers the node selector; a refused selector or no
// answer keeps the watch of every endpoint, and says why.
func TestScopeEndpoints(t *testing.T) {
	scheme, err := newScheme()
	if err != nil {
		t.Fatal(err)
	}
	gr := schema.GroupResource{Group: "spiderpool.spidernet.io", Resource: "spiderendpoints"}
	for _, tc := range []struct {
		name   string
		err    error
		scoped bool
		says   string
	}{
		{name: "selector answered", scoped: true, says: "this node only"},
		{name: "selector refused", err: apierrors.NewBadRequest(`field label not supported: status.current.node`),
			says: "cannot select SpiderEndpoints by node"},
		{name: "no answer", err: apierrors.NewServiceUnavailable("down"), says: "could not ask"},
		{name: "forbidden", err: apierrors.NewForbidden(gr, "", errors.New("rbac")), says: "could not ask"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var selector string
			api := fake.NewClientBuilder().WithScheme(scheme).WithInterceptorFuncs(interceptor.Funcs{
				List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
					lo := (&client.ListOptions{}).ApplyOptions(opts)
					if lo.FieldSelector != nil {
						selector = lo.FieldSelector.String()
					}
					return tc.err
				},
			}).Build()
			var lines []string
			if got := scopeEndpoints(logrInto(t, &lines), api, "node1", 0); got != tc.scoped {
				t.Errorf("scoped = %v, want %v", got, tc.scoped)
			}
			if selector != "status.current.node=node1" {
				t.Errorf("asked with selector %q", selector)
			}
			if len(lines) != 1 || !strings.Contains(lines[0], tc.says) {
				t.Errorf("logged %q, want one line saying %q", lines, tc.says)
			}
		})
	}
}

// TestCacheOptionsScopeEndpoints: only the scoped cache selects endpoints.
func TestCacheOptionsScopeEndpoints(t *testing.T) {
	for scoped, want := range map[bool]string{false: "", true: "status.current.node=node1"} {
		found := false
		for obj, by := range cacheOptions("node1", false, scoped).ByObject {
			if _, ok := obj.(*spiderpoolv2beta1.SpiderEndpoint); !ok {
				continue
			}
			found = true
			if got := fmt.Sprint(by.Field); by.Field == nil && want != "" || by.Field != nil && got != want {
				t.Errorf("scoped=%v: endpoint selector %v, want %q", scoped, by.Field, want)
			}
		}
		if !found {
			t.Errorf("scoped=%v: no SpiderEndpoint informer", scoped)
		}
	}
}
