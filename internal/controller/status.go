// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// statusCounts is how to keep the status counts of one kind, T.
type statusCounts[T client.Object] struct {
	// kind names T in errors.
	kind string
	// compute returns what the counts must be.
	compute func(T) (counts, error)
	// fields returns the addresses of the two count fields of obj's status.
	fields func(obj T) (total, allocated **int64)
}

// poolStatus keeps SpiderIPPool counts.
func poolStatus() statusCounts[*spiderpoolv2beta1.SpiderIPPool] {
	return statusCounts[*spiderpoolv2beta1.SpiderIPPool]{
		kind:    "SpiderIPPool",
		compute: poolCounts,
		fields: func(p *spiderpoolv2beta1.SpiderIPPool) (**int64, **int64) {
			return &p.Status.TotalIPCount, &p.Status.AllocatedIPCount
		},
	}
}

// sync patches the counts of obj when they are wrong. The patch holds the
// two counts only, computed from one read, with that read's resourceVersion
// as the precondition, so it never overwrites what another writer (the
// agents) changed in between: a conflict re-reads from the API server and
// tries again. The first try uses obj as given (from the cache): its counts
// are usually right already, and then nothing is read or written.
func (s statusCounts[T]) sync(ctx context.Context, c client.Client, api client.Reader, obj T) error {
	obj, ok := obj.DeepCopyObject().(T)
	if !ok {
		return fmt.Errorf("%s: deep copy of %T", s.kind, obj)
	}
	key := client.ObjectKeyFromObject(obj)
	fresh := false
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if fresh {
			if err := api.Get(ctx, key, obj); err != nil {
				return err
			}
		}
		fresh = true
		return s.patch(ctx, c, obj)
	})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// patch writes the counts of obj if they are wrong.
func (s statusCounts[T]) patch(ctx context.Context, c client.Client, obj T) error {
	want, err := s.compute(obj)
	if err != nil {
		// The spec or the records do not parse: retrying will not help until
		// the object changes, which triggers a new reconcile.
		return reconcile.TerminalError(fmt.Errorf("%s %s: %w", s.kind, obj.GetName(), err))
	}
	total, allocated := s.fields(obj)
	if want.matches(*total, *allocated) {
		return nil
	}
	orig, _ := obj.DeepCopyObject().(client.Object) // cannot fail: obj is a client.Object
	*total, *allocated = &want.total, &want.allocated
	return c.Status().Patch(ctx, obj, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{}))
}
