// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/apimachinery/pkg/types"
	coordinationv1client "k8s.io/client-go/kubernetes/typed/coordination/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

// LeaseName is the Lease the replicas elect their leader with, in
// SPIDERPOOL_POD_NAMESPACE.
const LeaseName = "spiderpool-controller-leases"

// ErrNoLeader is returned by the readiness check while no replica leads.
var ErrNoLeader = errors.New("no spiderpool-controller leader")

// newLeaseLock returns the Lease lock with the pod name as identity, as
// Spiderpool, so that the Lease names the leading pod. controller-runtime
// would use the host name and a UUID; with hostNetwork (the chart's
// default) the host name is the node's.
func newLeaseLock(cfg *rest.Config, env config.ControllerEnv) (resourcelock.Interface, error) {
	cfg = rest.AddUserAgent(rest.CopyConfig(cfg), "leader-election")
	// A hung request must not outlast the renew deadline (as controller-runtime).
	cfg.Timeout = max(time.Second, env.LeaderElection.RenewDeadline/2)
	core, err := corev1client.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("leader election client: %w", err)
	}
	coordination, err := coordinationv1client.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("leader election client: %w", err)
	}
	lock, err := resourcelock.New(resourcelock.LeasesResourceLock, env.PodNamespace, LeaseName, core, coordination,
		resourcelock.ResourceLockConfig{Identity: env.PodName})
	if err != nil {
		return nil, fmt.Errorf("leader election lock: %w", err)
	}
	return lock, nil
}

// leaderCheck returns a check that a replica holds the Lease and that its
// term, counted from its last renewal, has not run out at now().
func leaderCheck(reader client.Reader, namespace string, now func() time.Time) func(context.Context) error {
	key := types.NamespacedName{Namespace: namespace, Name: LeaseName}
	return func(ctx context.Context) error {
		lease := &coordinationv1.Lease{}
		if err := reader.Get(ctx, key, lease); err != nil {
			return fmt.Errorf("%w: read Lease %s: %w", ErrNoLeader, key, err)
		}
		return leaseHeld(lease, now())
	}
}

// leaseHeld reports ErrNoLeader unless lease has a holder whose term runs
// past now.
func leaseHeld(lease *coordinationv1.Lease, now time.Time) error {
	spec := lease.Spec
	if spec.HolderIdentity == nil || *spec.HolderIdentity == "" {
		return fmt.Errorf("%w: Lease %s has no holder", ErrNoLeader, lease.Name)
	}
	if spec.RenewTime == nil || spec.LeaseDurationSeconds == nil {
		return fmt.Errorf("%w: Lease %s has no term", ErrNoLeader, lease.Name)
	}
	expiry := spec.RenewTime.Add(time.Duration(*spec.LeaseDurationSeconds) * time.Second)
	if !expiry.After(now) {
		return fmt.Errorf("%w: the term of %s ran out at %s", ErrNoLeader, *spec.HolderIdentity, expiry.UTC().Format(time.RFC3339))
	}
	return nil
}
