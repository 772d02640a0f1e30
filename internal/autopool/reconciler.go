// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package autopool

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
)

// Reconciler creates, resizes and deletes auto-created pools.
type Reconciler struct {
	// Client writes subnets and pools and lists SpiderReservedIPs (a cache
	// is fine).
	Client client.Client
	// APIReader reads the subnet and the app's pools from the API server:
	// the subnet's record is written with the resourceVersion of that read.
	APIReader client.Reader
}

// Request is one auto-created pool an app needs.
type Request struct {
	// Subnet is the SpiderSubnet the pool takes its IPs from.
	Subnet string
	// App owns the pool.
	App App
	// Interface is the pod interface the pool serves.
	Interface string
	// Version is the pool's IP version; it must be the subnet's.
	Version allocator.IPVersion
	// Number is the ippool-ip-number: the pool size is Number.Size(App.Replicas).
	Number annotation.IPNumber
	// Reclaim deletes the pool with its app.
	Reclaim bool
}

// Size is the number of IPs the pool must hold.
func (r Request) Size() int {
	return r.Number.Size(r.App.Replicas)
}

// describe names the request in errors.
func (r Request) describe() string {
	return fmt.Sprintf("auto-created IPv%d pool of %s for interface %s from SpiderSubnet %q", r.Version, r.App, r.Interface, r.Subnet)
}

// conflictBackoff is how often Ensure retries after losing a race for the
// subnet's record or the pool: many apps of one subnet are sized at once.
var conflictBackoff = wait.Backoff{Steps: 12, Duration: 10 * time.Millisecond, Factor: 1.5, Jitter: 0.5, Cap: time.Second}

// Ensure makes the app's pool for req exist with Size() IPs, and returns
// it. The subnet's status.controlledIPPools is written first, with the
// resourceVersion of the read it was computed from, then the pool is
// created or updated; a conflict or AlreadyExists starts again from fresh
// reads. ErrFreeIPsNotEnough and ErrSubnetIPsNotEnough are returned
// wrapped, for the caller to retry later.
func (r *Reconciler) Ensure(ctx context.Context, req Request) (*spiderpoolv2beta1.SpiderIPPool, error) {
	var pool *spiderpoolv2beta1.SpiderIPPool
	err := retry.OnError(conflictBackoff, retriable, func() error {
		var err error
		pool, err = r.ensureOnce(ctx, req)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", req.describe(), err)
	}
	return pool, nil
}

func retriable(err error) bool {
	return apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err)
}

// ensureOnce is one attempt of Ensure.
func (r *Reconciler) ensureOnce(ctx context.Context, req Request) (*spiderpoolv2beta1.SpiderIPPool, error) {
	subnet, err := r.subnet(ctx, req)
	if err != nil {
		return nil, err
	}
	existing, err := r.findPool(ctx, req)
	if err != nil {
		return nil, err
	}
	name := PoolName(req.Version, req.App.Name, req.Interface, req.App.UID)
	if existing != nil {
		name = existing.Name
	}
	st, err := r.newState(ctx, req, subnet, existing, name)
	if err != nil {
		return nil, err
	}
	ips, err := PreAllocate(st.inputs)
	if err != nil {
		return nil, err
	}
	if err := r.writeRecord(ctx, st, name, req.App, ips); err != nil {
		return nil, err
	}
	return r.writePool(ctx, req, subnet, existing, name, ips)
}

// subnet reads the request's subnet from the API server and checks that it
// can serve the request.
func (r *Reconciler) subnet(ctx context.Context, req Request) (*spiderpoolv2beta1.SpiderSubnet, error) {
	subnet := &spiderpoolv2beta1.SpiderSubnet{}
	if err := r.APIReader.Get(ctx, types.NamespacedName{Name: req.Subnet}, subnet); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("SpiderSubnet %q does not exist; create it or name an existing one in the %s or %s annotation: %w",
				req.Subnet, annotation.KeySubnet, annotation.KeySubnets, err)
		}
		return nil, fmt.Errorf("read SpiderSubnet %q: %w", req.Subnet, err)
	}
	if subnet.DeletionTimestamp != nil {
		return nil, fmt.Errorf("SpiderSubnet %q is being deleted; name another subnet", req.Subnet)
	}
	v, err := SubnetVersion(subnet)
	if err != nil {
		return nil, err
	}
	if v != req.Version {
		return nil, fmt.Errorf("SpiderSubnet %q is IPv%d, asked for as IPv%d; list it under \"ipv%d\" in the annotation", req.Subnet, v, req.Version, v)
	}
	return subnet, nil
}

// findPool returns the app's existing pool for the request, if any: the
// one of the app's own UID first, else one kept with reclaim false.
func (r *Reconciler) findPool(ctx context.Context, req Request) (*spiderpoolv2beta1.SpiderIPPool, error) {
	var list spiderpoolv2beta1.SpiderIPPoolList
	sel := client.MatchingLabels(MatchLabels(req.Subnet, req.App, req.Interface, req.Version))
	if err := r.APIReader.List(ctx, &list, sel); err != nil {
		return nil, fmt.Errorf("list SpiderIPPools: %w", err)
	}
	found := FindAppPools(list.Items, req.Subnet, req.App, req.Interface, req.Version)
	for _, p := range found {
		if p.Labels[spiderpoolv2beta1.LabelOwnerApplicationUID] == string(req.App.UID) {
			return p, nil
		}
	}
	if len(found) > 0 {
		return found[0], nil
	}
	return nil, nil //nolint:nilnil // no pool yet is not an error
}

// SubnetVersion is the subnet's spec.ipVersion, or the family of its
// spec.subnet when unset.
func SubnetVersion(subnet *spiderpoolv2beta1.SpiderSubnet) (allocator.IPVersion, error) {
	if subnet.Spec.IPVersion != nil {
		v := allocator.IPVersion(*subnet.Spec.IPVersion)
		if !v.Valid() {
			return 0, fmt.Errorf("SpiderSubnet %q: spec.ipVersion %d is not 4 or 6", subnet.Name, v)
		}
		return v, nil
	}
	prefix, err := allocator.ParseCanonicalCIDR(subnet.Spec.Subnet)
	if err != nil {
		return 0, fmt.Errorf("SpiderSubnet %q: spec.subnet: %w", subnet.Name, err)
	}
	return allocator.VersionOf(prefix.Addr()), nil
}
