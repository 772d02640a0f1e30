// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/util/retry"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

var errWaiting = errors.New("waiting")

// poolName returns a pool name unique to the test and to the run (-count).
func poolName(t *testing.T) string {
	return strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())) + "-" + utilrand.String(5)
}

// createPool creates a pool; finalizer adds Spiderpool's finalizer, as the
// mutating webhook would.
func createPool(t *testing.T, name string, spec spiderpoolv2beta1.IPPoolSpec, finalizer bool) *spiderpoolv2beta1.SpiderIPPool {
	t.Helper()
	pool := &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: spec}
	if finalizer {
		pool.Finalizers = []string{spiderpoolv2beta1.SpiderFinalizer}
	}
	if err := apiServer.client.Create(t.Context(), pool); err != nil {
		t.Fatalf("create pool %s: %v", name, err)
	}
	return pool
}

// getPool reads a pool from the API server.
func getPool(t *testing.T, name string) *spiderpoolv2beta1.SpiderIPPool {
	t.Helper()
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := apiServer.client.Get(t.Context(), types.NamespacedName{Name: name}, pool); err != nil {
		t.Fatalf("get pool %s: %v", name, err)
	}
	return pool
}

// agentWrites sets the pool's records as an agent does, with the given
// (maybe wrong) allocatedIPCount, and returns the stored allocatedIPs.
func agentWrites(t *testing.T, name string, records spiderpoolv2beta1.PoolIPAllocations, count int64) *string {
	t.Helper()
	return agentWritesPool(t, name, records, count).Status.AllocatedIPs
}

// agentWritesPool is agentWrites returning the pool as the API server
// stored it by that write, before any other writer had a turn.
func agentWritesPool(t *testing.T, name string, records spiderpoolv2beta1.PoolIPAllocations, count int64) *spiderpoolv2beta1.SpiderIPPool {
	t.Helper()
	var stored *spiderpoolv2beta1.SpiderIPPool
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		stored = getPool(t, name)
		stored.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(records)
		stored.Status.AllocatedIPCount = &count
		return apiServer.client.Status().Update(t.Context(), stored)
	})
	if err != nil {
		t.Fatalf("agent status update of %s: %v", name, err)
	}
	return stored
}

// updateSpec changes a pool's spec.
func updateSpec(t *testing.T, name string, mutate func(*spiderpoolv2beta1.IPPoolSpec)) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		pool := getPool(t, name)
		mutate(&pool.Spec)
		return apiServer.client.Update(t.Context(), pool)
	})
	if err != nil {
		t.Fatalf("update pool %s: %v", name, err)
	}
}

// poolCountsAre reports whether the pool's status counts are total and
// allocated.
func poolCountsAre(t *testing.T, name string, total, allocated int64) error {
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := apiServer.client.Get(t.Context(), types.NamespacedName{Name: name}, pool); err != nil {
		return err
	}
	s := pool.Status
	if s.TotalIPCount == nil || s.AllocatedIPCount == nil || *s.TotalIPCount != total || *s.AllocatedIPCount != allocated {
		return fmt.Errorf("%w: counts of %s are %s/%s, want %d/%d", errWaiting, name, show(s.TotalIPCount), show(s.AllocatedIPCount), total, allocated)
	}
	return nil
}

// poolGone reports whether the pool no longer exists.
func poolGone(t *testing.T, name string) error {
	err := apiServer.client.Get(t.Context(), types.NamespacedName{Name: name}, &spiderpoolv2beta1.SpiderIPPool{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: pool %s still exists", errWaiting, name)
}

func show(p *int64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}
