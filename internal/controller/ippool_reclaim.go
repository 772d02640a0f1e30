// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
	"github.com/spiderpool-go/spiderpool/internal/validation"
)

// reclaimAutoPool deletes pool if it is an auto-created pool to be deleted
// with its application, holds no IP, and its application is gone (not
// found, or found with another UID): the second net behind the
// application controller's delete handler, and the only one for
// third-party controllers (docs/reference/behaviour.md §5.5). It reports
// whether it deleted the pool, and when to look again: the deletion of a
// third-party application sends no event here, so an empty pool of one is
// looked at again every SPIDERPOOL_IPPOOL_INFORMER_RESYNC_PERIOD.
func (r *IPPoolReconciler) reclaimAutoPool(ctx context.Context, pool *spiderpoolv2beta1.SpiderIPPool) (bool, time.Duration, error) {
	if r.Apps == nil || !validation.IsAutoPool(pool) || !autopool.Reclaim(pool) || !pool.DeletionTimestamp.IsZero() {
		return false, 0, nil
	}
	records, err := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
	if err != nil || len(records) > 0 {
		return false, 0, nil
	}
	app := autopool.AppOfPool(pool)
	if !r.Apps.gone(ctx, app) {
		if autopool.IsBuiltin(app.GroupVersionKind()) {
			return false, 0, nil
		}
		return false, r.Resync, nil
	}
	uid := pool.UID
	if err := r.Client.Delete(ctx, pool, client.Preconditions{UID: &uid, ResourceVersion: &pool.ResourceVersion}); client.IgnoreNotFound(err) != nil {
		return false, 0, fmt.Errorf("delete auto-created SpiderIPPool %s of deleted %s: %w", pool.Name, app, err)
	}
	logr.FromContextOrDiscard(ctx).V(1).Info("auto-created pool of a deleted application deleted", "pool", pool.Name, "application", app.String())
	return true, 0, nil
}
