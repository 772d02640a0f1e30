// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/go-logr/logr"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

const (
	// leaseNamespace holds the node Leases (created by kube-apiserver).
	leaseNamespace = "kube-node-lease"
	// leaseDurationSeconds matches kubelet's default.
	leaseDurationSeconds = 40
	// leaseRenewInterval matches kubelet's default (a quarter of the duration).
	leaseRenewInterval = 10 * time.Second
	// heartbeatInterval is how often the Ready condition is refreshed;
	// kubelet does it every 10 s on change and at least every 5 min, the
	// node lifecycle controller only needs the Lease.
	heartbeatInterval = 40 * time.Second
)

// nodeAgent registers the Node and keeps it healthy: it renews the Lease and
// refreshes the Ready heartbeat while the process lives. It is a manager
// Runnable; the client must read Nodes and Leases from the API server, not
// from a cache.
type nodeAgent struct {
	client client.Client
	cfg    Config
	now    func() time.Time
	// log is given at construction: the manager does not pass the caller's
	// context (and logger) to its runnables.
	log logr.Logger
}

var _ manager.LeaderElectionRunnable = (*nodeAgent)(nil)

// NeedLeaderElection reports false: every node runs its own agent.
func (a *nodeAgent) NeedLeaderElection() bool { return false }

// Start registers the node, then refreshes heartbeat and lease until ctx is
// done. Failures are logged and retried at the next tick.
func (a *nodeAgent) Start(ctx context.Context) error {
	err := wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		err := a.register(ctx)
		if err != nil {
			a.log.Error(err, "Node registration failed, retrying")
		}
		return err == nil, nil
	})
	if err != nil {
		return nil //nolint:nilerr // the poll only fails once ctx is done: a normal stop
	}
	a.log.Info("Node registered")
	var wg sync.WaitGroup
	wg.Go(func() {
		wait.UntilWithContext(ctx, func(ctx context.Context) {
			if err := a.heartbeat(ctx); err != nil {
				a.log.Error(err, "Node heartbeat failed")
			}
		}, heartbeatInterval)
	})
	wait.UntilWithContext(ctx, func(ctx context.Context) {
		if err := a.renewLease(ctx); err != nil {
			a.log.Error(err, "Node lease renewal failed")
		}
	}, leaseRenewInterval)
	wg.Wait()
	return nil
}

// register creates the Node or brings its labels up to date, and writes a
// healthy status.
func (a *nodeAgent) register(ctx context.Context) error {
	node := newNode(a.cfg, a.now())
	err := a.client.Create(ctx, node.DeepCopy())
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create node: %w", err)
	}
	if err := a.ensureLabels(ctx, node.Labels); err != nil {
		return err
	}
	return a.heartbeat(ctx)
}

func (a *nodeAgent) ensureLabels(ctx context.Context, labels map[string]string) error {
	node := &corev1.Node{}
	if err := a.client.Get(ctx, client.ObjectKey{Name: a.cfg.NodeName}, node); err != nil {
		return fmt.Errorf("get node: %w", err)
	}
	orig := node.DeepCopy()
	if node.Labels == nil {
		node.Labels = map[string]string{}
	}
	maps.Copy(node.Labels, labels)
	if maps.Equal(orig.Labels, node.Labels) {
		return nil
	}
	if err := a.client.Patch(ctx, node, client.MergeFrom(orig)); err != nil {
		return fmt.Errorf("label node: %w", err)
	}
	return nil
}

// heartbeat writes a fresh healthy status (Ready with a new heartbeat time).
func (a *nodeAgent) heartbeat(ctx context.Context) error {
	node := &corev1.Node{}
	if err := a.client.Get(ctx, client.ObjectKey{Name: a.cfg.NodeName}, node); err != nil {
		return fmt.Errorf("get node: %w", err)
	}
	orig := node.DeepCopy()
	node.Status = nodeStatus(a.cfg, node.Status.Conditions, a.now())
	if err := a.client.Status().Patch(ctx, node, client.MergeFrom(orig)); err != nil {
		return fmt.Errorf("update node status: %w", err)
	}
	return nil
}

// renewLease creates or renews the node Lease, owned by the Node as kubelet
// does, so deleting the Node deletes its Lease.
func (a *nodeAgent) renewLease(ctx context.Context) error {
	lease := &coordinationv1.Lease{}
	key := client.ObjectKey{Namespace: leaseNamespace, Name: a.cfg.NodeName}
	err := a.client.Get(ctx, key, lease)
	if apierrors.IsNotFound(err) {
		return a.createLease(ctx)
	}
	if err != nil {
		return fmt.Errorf("get lease: %w", err)
	}
	lease.Spec.RenewTime = &metav1.MicroTime{Time: a.now()}
	lease.Spec.HolderIdentity = ptr.To(a.cfg.NodeName)
	lease.Spec.LeaseDurationSeconds = ptr.To[int32](leaseDurationSeconds)
	if err := a.client.Update(ctx, lease); err != nil {
		return fmt.Errorf("renew lease: %w", err)
	}
	return nil
}

func (a *nodeAgent) createLease(ctx context.Context) error {
	node := &corev1.Node{}
	if err := a.client.Get(ctx, client.ObjectKey{Name: a.cfg.NodeName}, node); err != nil {
		return fmt.Errorf("get node: %w", err)
	}
	lease := &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: leaseNamespace, Name: a.cfg.NodeName,
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID,
			}},
		},
		Spec: coordinationv1.LeaseSpec{
			HolderIdentity:       ptr.To(a.cfg.NodeName),
			LeaseDurationSeconds: ptr.To[int32](leaseDurationSeconds),
			RenewTime:            &metav1.MicroTime{Time: a.now()},
		},
	}
	if err := a.client.Create(ctx, lease); err != nil {
		return fmt.Errorf("create lease: %w", err)
	}
	return nil
}
