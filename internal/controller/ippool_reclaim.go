// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"fmt"

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
// whether it deleted the pool.
func (r *IPPoolReconciler) reclaimAutoPool(ctx context.Context, pool *spiderpoolv2beta1.SpiderIPPool) (bool, error) {
	if r.Apps == nil || !validation.IsAutoPool(pool) || !autopool.Reclaim(pool) || !pool.DeletionTimestamp.IsZero() {
		return false, nil
	}
	records, err := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
	if err != nil || len(records) > 0 {
		return false, nil
	}
	app := poolApp(pool)
	if !r.Apps.gone(ctx, app) {
		return false, nil
	}
	uid := pool.UID
	if err := r.Client.Delete(ctx, pool, client.Preconditions{UID: &uid, ResourceVersion: &pool.ResourceVersion}); client.IgnoreNotFound(err) != nil {
		return false, fmt.Errorf("delete auto-created SpiderIPPool %s of deleted %s: %w", pool.Name, app, err)
	}
	logr.FromContextOrDiscard(ctx).V(1).Info("auto-created pool of a deleted application deleted", "pool", pool.Name, "application", app.String())
	return true, nil
}
