// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package autopool

import (
	"context"
	"fmt"
	"maps"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// writeRecord records ips for pool name of app in the subnet's status,
// unless it is recorded so already.
func (r *Reconciler) writeRecord(ctx context.Context, st *state, name string, app App, ips *allocator.Set) error {
	application := app.Application()
	rec, ok := st.records[name]
	if ok && rec.Application != nil && *rec.Application == application && st.inputs.Current.Equal(ips) {
		return nil
	}
	st.records[name] = spiderpoolv2beta1.PoolIPPreAllocation{IPs: ips.Strings(), Application: &application}
	subnet := st.subnet
	if err := SetRecords(subnet, st.inputs.Usable, st.records); err != nil {
		return err
	}
	if err := r.Client.Status().Update(ctx, subnet); err != nil {
		return fmt.Errorf("write status of SpiderSubnet %q: %w", subnet.Name, err)
	}
	return nil
}

// SetRecords sets subnet's status.controlledIPPools to records, and its
// counts: totalIPCount the size of usable (spec.ips − excludeIPs), and
// allocatedIPCount the number of IPs the records hold.
func SetRecords(subnet *spiderpoolv2beta1.SpiderSubnet, usable *allocator.Set, records spiderpoolv2beta1.PoolIPPreAllocations) error {
	held, err := RecordedIPs(usable.Version(), records, "")
	if err != nil {
		return fmt.Errorf("SpiderSubnet %q: %w", subnet.Name, err)
	}
	total, allocated := usable.CountInt64(), held.CountInt64()
	subnet.Status.ControlledIPPools = spiderpoolv2beta1.FormatControlledIPPools(records)
	subnet.Status.TotalIPCount, subnet.Status.AllocatedIPCount = &total, &allocated
	return nil
}

// writePool creates the pool or brings its IPs, labels and annotation up
// to date.
func (r *Reconciler) writePool(ctx context.Context, req Request, subnet *spiderpoolv2beta1.SpiderSubnet,
	existing *spiderpoolv2beta1.SpiderIPPool, name string, ips *allocator.Set) (*spiderpoolv2beta1.SpiderIPPool, error) {
	labels := PoolLabels(subnet.Name, subnet.Spec.Subnet, req.App, req.Interface, req.Version, req.Reclaim)
	if existing == nil {
		pool := NewPool(subnet, name, labels, req, ips)
		if err := r.Client.Create(ctx, pool); err != nil {
			return nil, fmt.Errorf("create SpiderIPPool %s: %w", name, err)
		}
		return pool, nil
	}
	pool := existing.DeepCopy()
	maps.Copy(pool.Labels, labels)
	if pool.Annotations == nil {
		pool.Annotations = map[string]string{}
	}
	pool.Annotations[spiderpoolv2beta1.AnnoPoolIPNumber] = req.Number.String()
	pool.Spec.IPs = ips.Strings()
	if samePool(existing, pool, req.Version) {
		return existing, nil
	}
	if err := r.Client.Update(ctx, pool); err != nil {
		return nil, fmt.Errorf("update SpiderIPPool %s: %w", name, err)
	}
	return pool, nil
}

// samePool reports whether an update from old to pool would change nothing.
func samePool(old, pool *spiderpoolv2beta1.SpiderIPPool, v allocator.IPVersion) bool {
	if !maps.Equal(old.Labels, pool.Labels) || !maps.Equal(old.Annotations, pool.Annotations) {
		return false
	}
	a, errA := allocator.ParseSet(v, old.Spec.IPs)
	b, errB := allocator.ParseSet(v, pool.Spec.IPs)
	return errA == nil && errB == nil && a.Equal(b)
}

// NewPool returns the auto-created pool name of req in subnet, holding ips:
// labels, ip-number annotation, finalizer, subnet as controller, the
// subnet's gateway and routes, and the app's podAffinity.
func NewPool(subnet *spiderpoolv2beta1.SpiderSubnet, name string, labels map[string]string, req Request,
	ips *allocator.Set) *spiderpoolv2beta1.SpiderIPPool {
	v := int64(req.Version)
	pool := &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Labels:      labels,
			Annotations: map[string]string{spiderpoolv2beta1.AnnoPoolIPNumber: req.Number.String()},
		},
		Spec: spiderpoolv2beta1.IPPoolSpec{
			IPVersion:   &v,
			Subnet:      subnet.Spec.Subnet,
			IPs:         ips.Strings(),
			Gateway:     subnet.Spec.Gateway,
			Routes:      slices.Clone(subnet.Spec.Routes),
			PodAffinity: &metav1.LabelSelector{MatchLabels: AffinityLabels(req.App)},
		},
	}
	controllerutil.AddFinalizer(pool, spiderpoolv2beta1.SpiderFinalizer)
	gvk := spiderpoolv2beta1.GroupVersion.WithKind(spiderpoolv2beta1.KindSpiderSubnet)
	pool.OwnerReferences = []metav1.OwnerReference{*metav1.NewControllerRef(subnet, gvk)}
	return pool
}

// DeleteReclaimable deletes the auto-created pools of the app with uid
// whose reclaim label is true (docs/reference/behaviour.md §5.5). Each pool
// goes once its last IP is released.
func (r *Reconciler) DeleteReclaimable(ctx context.Context, uid string) error {
	err := r.Client.DeleteAllOf(ctx, &spiderpoolv2beta1.SpiderIPPool{}, client.MatchingLabels{
		spiderpoolv2beta1.LabelOwnerApplicationUID: uid,
		spiderpoolv2beta1.LabelIPPoolReclaim:       "true",
	})
	if err != nil {
		return fmt.Errorf("delete the reclaimable auto-created pools of application UID %s: %w", uid, err)
	}
	return nil
}
