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

// keepAndDecode hands pool to the claim storage (keep) and decodes the
// pool as it is from then on: its status holds every record a writer
// without the claim storage made, which an allocation must treat as taken.
// The status read before the hand-over may lack the last of them.
func (q *Queues) keepAndDecode(ctx context.Context, pool string, reserved poolq.Reserved) (decoded, error) {
	p, err := q.keep(ctx, pool)
	if err != nil {
		return decoded{}, err
	}
	return q.decoded.decode(p, reserved)
}

// keep hands pool to the claim storage before this agent claims in it: it
// sets the ipamclaimsv1alpha1.AnnoStorage annotation, unless the API
// server's copy has it already, and returns the pool with it. From then on
// a writer of the pool's records that runs without the claim storage
// refuses the pool (store.CheckWritable), and one that read the pool
// before the annotation loses its write to the new resourceVersion. So
// every address such a writer recorded is in the returned status (taken: a
// record no claim holds), and it records none afterwards. The update
// carries the read's resourceVersion; a conflict reads again.
func (q *Queues) keep(ctx context.Context, pool string) (*spiderpoolv2beta1.SpiderIPPool, error) {
	for attempt := 1; ; attempt++ {
		q.freshReads.Add(1)
		p := &spiderpoolv2beta1.SpiderIPPool{}
		if err := q.deps.API.Get(ctx, client.ObjectKey{Name: pool}, p); err != nil {
			if apierrors.IsNotFound(err) {
				return nil, fmt.Errorf("%w: %s", poolq.ErrPoolNotFound, pool)
			}
			return nil, fmt.Errorf("read pool %s: %w", pool, err)
		}
		if claims.Kept(p) {
			return p, nil
		}
		if p.Annotations == nil {
			p.Annotations = map[string]string{}
		}
		p.Annotations[ipamclaimsv1alpha1.AnnoStorage] = ipamclaimsv1alpha1.StorageClaims
		err := q.deps.Writer.Update(ctx, p)
		switch {
		case err == nil:
			return p, nil // the API server's answer: the status included
		case apierrors.IsConflict(err) && attempt < keepAttempts:
			continue
		}
		return nil, fmt.Errorf("hand pool %s to the claim storage (annotation %s=%s): %w",
			pool, ipamclaimsv1alpha1.AnnoStorage, ipamclaimsv1alpha1.StorageClaims, err)
	}
}
