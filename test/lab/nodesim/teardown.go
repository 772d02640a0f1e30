// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Teardown lane. Kubelet gives every pod its own worker, so a pod that is
// deleted is torn down at once, whatever other pods are being set up. The
// simulator bounds its workers (Config.MaxConcurrentPods), and a single
// queue made a deleted pod's CNI DEL wait behind the ADDs of other pods:
// under load, up to a minute during which its sandbox kept its addresses
// although the pod object was gone (so the IP GC may already have freed
// them for another pod). Deleted and terminating pods therefore also go
// through a second controller with its own workers that only tears down;
// a lock per pod name serialises the two lanes on one pod, as kubelet's
// per-pod worker does.

// keyLocks is one mutex per pod name, held while a lane reconciles it.
type keyLocks struct {
	mu    sync.Mutex
	locks map[types.NamespacedName]*keyLock
}

type keyLock struct {
	sync.Mutex
	users int
}

// lock takes the mutex of key and returns its release.
func (k *keyLocks) lock(key types.NamespacedName) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[types.NamespacedName]*keyLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyLock{}
		k.locks[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}

// lockedReconciler runs inner with the lock of the request's pod held.
type lockedReconciler struct {
	locks *keyLocks
	inner reconcile.Reconciler
}

// Reconcile implements reconcile.Reconciler.
func (l lockedReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	defer l.locks.lock(req.NamespacedName)()
	return l.inner.Reconcile(ctx, req)
}

// teardownReconciler is the teardown lane: it tears down the sandboxes of
// pods that are gone or terminating and of older pods of the same name,
// and never sets a sandbox up.
type teardownReconciler struct {
	*podReconciler
}

// Reconcile implements reconcile.Reconciler.
func (r teardownReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	_, err := r.tearDownStale(ctx, req.NamespacedName)
	return ctrl.Result{}, err
}

// tearDownStale does the teardown a pod named key needs: everything when
// the pod is gone, older UIDs' sandboxes otherwise, and the pod's own when
// it is terminating. It returns the pod when it exists and is not
// terminating, that is when a sandbox may still have to be set up.
func (r *podReconciler) tearDownStale(ctx context.Context, key types.NamespacedName) (*corev1.Pod, error) {
	pod := &corev1.Pod{}
	err := r.client.Get(ctx, key, pod)
	if apierrors.IsNotFound(err) {
		// Force-deleted or never seen: tear down whatever is left.
		return nil, r.destroyStale(ctx, key, "")
	}
	if err != nil {
		return nil, fmt.Errorf("get pod: %w", err)
	}
	if err := r.destroyStale(ctx, key, pod.UID); err != nil {
		return nil, err
	}
	if pod.DeletionTimestamp != nil {
		return nil, r.terminate(ctx, pod)
	}
	return pod, nil
}

// goneOrTerminating passes the pod events the teardown lane acts on.
func goneOrTerminating() predicate.Funcs {
	terminating := func(o client.Object) bool { return o.GetDeletionTimestamp() != nil }
	return predicate.Funcs{
		CreateFunc:  func(e event.CreateEvent) bool { return terminating(e.Object) },
		UpdateFunc:  func(e event.UpdateEvent) bool { return terminating(e.ObjectNew) },
		DeleteFunc:  func(event.DeleteEvent) bool { return true },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}
