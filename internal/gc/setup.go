// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
)

// Setup registers the IP garbage collector with mgr: the GC counters (on
// Options.Registerer), and, when Options.GC.Enabled, the reconciler of
// endpoints, pods and node readiness (paths A and B) and the periodic
// full scan (path C). Both run on the elected leader only. mgr's scheme
// must hold the core and spiderpool.spidernet.io/v2beta1 types, and with
// Options.ClaimStorage the ipam.spiderpool-go.io/v1alpha1 ones.
func Setup(mgr ctrl.Manager, opts Options) error {
	opts, err := opts.withDefaults()
	if err != nil {
		return err
	}
	m, err := newCounters(opts.Registerer)
	if err != nil {
		return err
	}
	log := mgr.GetLogger().WithName("ip-gc")
	if !opts.GC.Enabled {
		log.Info("IP garbage collection is off", "env", config.EnvGCIPEnabled)
		return nil
	}
	c := newCollector(opts, mgr.GetClient(), mgr.GetAPIReader(), m)
	if err := addIndexes(mgr.GetFieldIndexer(), c.records); err != nil {
		return err
	}
	if opts.ClaimStorage {
		if err := addClaimIndex(mgr.GetFieldIndexer()); err != nil {
			return err
		}
	}
	if err := (&reconciler{c: c}).setupWithManager(mgr, opts.GC.WorkerNum); err != nil {
		return fmt.Errorf("IP GC: register reconciler: %w", err)
	}
	s := &scanner{c: c, interval: opts.GC.DefaultInterval, clock: opts.Clock, log: log, synced: mgr.GetCache().WaitForCacheSync}
	if err := mgr.Add(s); err != nil {
		return fmt.Errorf("IP GC: register full scan: %w", err)
	}
	return nil
}

// addIndexes registers the cache indexes of the reconciler. They are
// registered before the manager starts, so no context of a running manager
// exists yet; the calls do not block on it.
func addIndexes(idx client.FieldIndexer, records *recordMemo) error {
	ctx := context.Background()
	if err := idx.IndexField(ctx, &corev1.Pod{}, podNodeIndex, indexPodNode); err != nil {
		return fmt.Errorf("IP GC: index pods by node: %w", err)
	}
	if err := idx.IndexField(ctx, &spiderpoolv2beta1.SpiderIPPool{}, poolHolderIndex, records.indexHolders); err != nil {
		return fmt.Errorf("IP GC: index pools by record holder: %w", err)
	}
	if err := idx.IndexField(ctx, &spiderpoolv2beta1.SpiderEndpoint{}, endpointOwnerIndex, indexEndpointOwner); err != nil {
		return fmt.Errorf("IP GC: index endpoints by StatefulSet: %w", err)
	}
	return nil
}
