// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamtest

import (
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Scheme returns a scheme with the Kubernetes built-in types and
// spiderpool.spidernet.io/spiderpoolv2beta1.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err) // static registration; cannot fail
	}
	if err := spiderpoolv2beta1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}

// NewClient returns a fake client holding objs, with SpiderIPPool status
// as a subresource as on a real API server, and funcs (may be zero)
// intercepting its calls.
func NewClient(funcs interceptor.Funcs, objs ...client.Object) client.WithWatch {
	return fake.NewClientBuilder().
		WithScheme(Scheme()).
		WithStatusSubresource(&spiderpoolv2beta1.SpiderIPPool{}).
		WithObjects(objs...).
		WithInterceptorFuncs(funcs).
		Build()
}
