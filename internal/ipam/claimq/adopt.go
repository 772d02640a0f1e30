// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// adopt gives the addresses op.IPs to op.UID: a claim held under the same
// pod name (a previous incarnation) is updated to the new UID on the
// condition of the resourceVersion read, an address without a claim is
// claimed anew. An address held under another name is store.ErrBadRecord.
func (q *Queues) adopt(ctx context.Context, pool string, op *poolq.Op) error {
	var errs []error
	for _, a := range op.IPs {
		errs = append(errs, q.adoptOne(ctx, pool, a, op))
	}
	return errors.Join(errs...)
}

func (q *Queues) adoptOne(ctx context.Context, pool string, a netip.Addr, op *poolq.Op) error {
	for attempt := range maxAttempts {
		cur, err := q.current(ctx, pool, a, attempt > 0)
		if err != nil {
			return err
		}
		if cur == nil {
			// A record not adopted yet names its holder too: Spiderpool's
			// record of another pod must never give way to this claim.
			rec, ok, _, err := q.record(ctx, pool, a)
			if err != nil {
				return err
			}
			if ok && rec.NamespacedName != op.PodKey {
				return fmt.Errorf("%w: pool %s records %s for %s, not %s", store.ErrBadRecord, pool, a, rec.NamespacedName, op.PodKey)
			}
			won, err := q.claim(ctx, pool, a, op)
			if err != nil || won {
				return err
			}
			continue // someone claimed it meanwhile: look again
		}
		if key := cur.Spec.PodNamespace + "/" + cur.Spec.PodName; key != op.PodKey {
			return fmt.Errorf("%w: pool %s: %s is claimed by %s, not %s", store.ErrBadRecord, pool, a, key, op.PodKey)
		}
		if cur.Spec.PodUID == op.UID {
			return nil
		}
		cur = cur.DeepCopy()
		cur.Spec.PodUID, cur.Spec.Node, cur.Spec.Adopted = op.UID, q.deps.Node, false
		if cur.Labels == nil {
			cur.Labels = map[string]string{}
		}
		claims.SetHolder(cur.Labels, op.UID)
		err = q.deps.Writer.Update(ctx, cur) // conditional on cur's resourceVersion
		switch {
		case err == nil:
			q.updates.Add(1)
			return nil
		case !apierrors.IsConflict(err) && !apierrors.IsNotFound(err):
			return fmt.Errorf("pool %s: adopt %s: update SpiderIPClaim %s: %w", pool, a, cur.Name, err)
		}
	}
	return fmt.Errorf("pool %s: adopt %s: its SpiderIPClaim changed %d times in a row", pool, a, maxAttempts)
}
