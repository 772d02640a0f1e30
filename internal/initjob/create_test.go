// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"context"
	"errors"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// failingCreates returns a fake client whose first n creates fail with
// err, and a counter of the creates tried.
func failingCreates(t *testing.T, n int, err error) (client.Client, *int) {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := spiderpoolv2beta1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	tries := 0
	c := fake.NewClientBuilder().WithScheme(scheme).WithInterceptorFuncs(interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			tries++
			if tries <= n {
				return err
			}
			return c.Create(ctx, obj, opts...)
		},
	}).Build()
	return c, &tries
}

func TestCreateRetries(t *testing.T) {
	gr := schema.GroupResource{Group: spiderpoolv2beta1.GroupName, Resource: "spiderippools"}
	unavailable := apierrors.NewInternalError(errors.New("failed calling webhook: connection refused"))
	invalid := apierrors.NewInvalid(spiderpoolv2beta1.GroupVersion.WithKind("SpiderIPPool").GroupKind(), "p", nil)
	tests := []struct {
		name      string
		failures  int
		err       error
		wantTries int
		wantErr   bool
	}{
		{name: "webhook not reachable yet: retried", failures: 2, err: unavailable, wantTries: 3},
		{name: "throttled: retried", failures: 1, err: apierrors.NewTooManyRequests("slow down", 1), wantTries: 2},
		{name: "already exists: done", failures: 1, err: apierrors.NewAlreadyExists(gr, "p"), wantTries: 1},
		{name: "refused by the webhook: not retried", failures: 1, err: invalid, wantTries: 1, wantErr: true},
		{name: "forbidden: not retried", failures: 1, err: apierrors.NewForbidden(gr, "p", errors.New("rbac")), wantTries: 1, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, tries := failingCreates(t, tc.failures, tc.err)
			j := &Job{Client: c, Interval: time.Millisecond, CreateTimeout: time.Minute}
			d := desired{kind: "SpiderIPPool", obj: &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: "p"}}}
			err := j.createAll(t.Context(), []desired{d})
			if (err != nil) != tc.wantErr {
				t.Fatalf("createAll() error = %v, want error %v", err, tc.wantErr)
			}
			if *tries != tc.wantTries {
				t.Errorf("tries = %d, want %d", *tries, tc.wantTries)
			}
		})
	}
}

func TestCreateGivesUpAtTheTimeout(t *testing.T) {
	unavailable := apierrors.NewServiceUnavailable("webhook down")
	c, tries := failingCreates(t, 1<<30, unavailable)
	j := &Job{Client: c, Interval: time.Millisecond, CreateTimeout: 50 * time.Millisecond}
	d := desired{kind: "SpiderIPPool", obj: &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: "p"}}}
	err := j.createAll(t.Context(), []desired{d})
	if !apierrors.IsServiceUnavailable(err) || *tries < 2 {
		t.Errorf("createAll() = %v after %d tries; want the last error after retries", err, *tries)
	}
}
