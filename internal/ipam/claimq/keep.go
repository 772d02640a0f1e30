// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
)

// keepAttempts bounds the conflicts keep rides out: each is another
// writer's change of the pool between its read and its update.
const keepAttempts = 5

// keep hands pool to the claim storage before this agent claims in it: it
// sets the ipamclaimsv1alpha1.AnnoStorage annotation, unless the API
// server's copy has it already. From then on a writer of the pool's
// records that runs without the claim storage refuses the pool
// (store.CheckWritable), and one that read the pool before the annotation
// loses its write to the new resourceVersion. So an address such a writer
// recorded is in the status this agent reads (taken: a record no claim
// holds), and none it records afterwards exists. The update carries the
// read's resourceVersion; a conflict reads again.
func (q *Queues) keep(ctx context.Context, pool string) error {
	for attempt := 1; ; attempt++ {
		q.freshReads.Add(1)
		p := &spiderpoolv2beta1.SpiderIPPool{}
		if err := q.deps.API.Get(ctx, client.ObjectKey{Name: pool}, p); err != nil {
			if apierrors.IsNotFound(err) {
				return fmt.Errorf("%w: %s", poolq.ErrPoolNotFound, pool)
			}
			return fmt.Errorf("read pool %s: %w", pool, err)
		}
		if claims.Kept(p) {
			return nil
		}
		if p.Annotations == nil {
			p.Annotations = map[string]string{}
		}
		p.Annotations[ipamclaimsv1alpha1.AnnoStorage] = ipamclaimsv1alpha1.StorageClaims
		err := q.deps.Writer.Update(ctx, p)
		switch {
		case err == nil:
			return nil
		case apierrors.IsConflict(err) && attempt < keepAttempts:
			continue
		}
		return fmt.Errorf("hand pool %s to the claim storage (annotation %s=%s): %w",
			pool, ipamclaimsv1alpha1.AnnoStorage, ipamclaimsv1alpha1.StorageClaims, err)
	}
}
