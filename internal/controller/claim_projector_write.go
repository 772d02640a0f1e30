// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
)

// project reads the pool's claims and returns the pool's projection, and
// logs what it drops.
func (r *ClaimProjector) project(ctx context.Context, pool *spiderpoolv2beta1.SpiderIPPool) (claims.Projection, error) {
	var list ipamclaimsv1alpha1.SpiderIPClaimList
	// Read only: the cache hands out its own objects, not a copy of each.
	if err := r.Client.List(ctx, &list, client.MatchingFields{ClaimPoolIndex: pool.Name}, client.UnsafeDisableDeepCopy); err != nil {
		return claims.Projection{}, fmt.Errorf("list claims of SpiderIPPool %s: %w", pool.Name, err)
	}
	records, err := r.records(pool)
	if err != nil {
		// Retrying does not help until someone rewrites the status, which
		// triggers a new reconcile.
		return claims.Projection{}, reconcile.TerminalError(err)
	}
	log := logr.FromContextOrDiscard(ctx)
	held := make([]claims.Claim, 0, len(list.Items))
	for i := range list.Items {
		c, err := claims.Of(&list.Items[i])
		if err != nil {
			log.Info("claim skipped: its address does not parse", "claim", list.Items[i].Name, "error", err.Error())
			continue
		}
		held = append(held, c)
	}
	foreign := claims.ForeignStatus(pool)
	proj := claims.Project(held, records, foreign)
	for _, c := range proj.Conflicts {
		log.Info("record of another pod replaced by the address's claim", "pool", pool.Name, "ip", c.IP.String(),
			"claim", c.Claim.Name, "claimPodUID", c.Claim.UID, "recordPod", c.Record.NamespacedName, "recordPodUID", c.Record.PodUID)
	}
	if len(proj.Unreadable) > 0 {
		log.Info("records whose key is not an address kept as they are", "pool", pool.Name, "keys", proj.Unreadable)
	}
	return proj, nil
}

// adopt creates a claim for each record without one. A claim that exists
// already (the cache had not seen it) is fine: the next projection reads it.
func (r *ClaimProjector) adopt(ctx context.Context, pool string, adopt []claims.Claim) error {
	var errs []error
	for _, c := range adopt {
		obj, err := r.adoptedClaim(ctx, pool, c)
		if err == nil {
			err = client.IgnoreAlreadyExists(r.Client.Create(ctx, obj))
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("adopt record %s of SpiderIPPool %s: %w", c.IP, pool, err))
		}
	}
	if len(errs) == 0 {
		logr.FromContextOrDiscard(ctx).Info("records adopted", "pool", pool, "count", len(adopt))
	}
	return errors.Join(errs...)
}

// adoptedClaim returns the claim of an adopted record. Its node and
// interface come from the holder's SpiderEndpoint when that records the same
// pod UID and address; they stay empty otherwise.
func (r *ClaimProjector) adoptedClaim(ctx context.Context, pool string, c claims.Claim) (*ipamclaimsv1alpha1.SpiderIPClaim, error) {
	name, err := claims.Name(pool, c.IP)
	if err != nil {
		return nil, err
	}
	node, nic, err := r.endpointOf(ctx, c)
	if err != nil {
		return nil, err
	}
	return &ipamclaimsv1alpha1.SpiderIPClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: claims.Labels(pool, c.UID)},
		Spec: ipamclaimsv1alpha1.IPClaimSpec{
			Pool: pool, IP: c.IP.String(), PodNamespace: c.Namespace, PodName: c.Pod, PodUID: c.UID,
			Node: node, NIC: nic, Adopted: true,
		},
	}, nil
}

// endpointOf returns the node and interface the holder's SpiderEndpoint
// records for the claim's address, or "" when it records none.
func (r *ClaimProjector) endpointOf(ctx context.Context, c claims.Claim) (node, nic string, err error) {
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	if err := r.Client.Get(ctx, client.ObjectKey{Namespace: c.Namespace, Name: c.Pod}, ep); err != nil {
		return "", "", client.IgnoreNotFound(err)
	}
	if ep.Status.Current.UID != c.UID {
		return "", "", nil
	}
	for _, d := range ep.Status.Current.IPs {
		if hasAddr(d.IPv4, c.IP) || hasAddr(d.IPv6, c.IP) {
			return ep.Status.Current.Node, d.NIC, nil
		}
	}
	return ep.Status.Current.Node, "", nil
}

// hasAddr reports whether cidr ("10.0.0.5/24") holds the address a.
func hasAddr(cidr *string, a netip.Addr) bool {
	if cidr == nil {
		return false
	}
	p, err := netip.ParsePrefix(*cidr)
	return err == nil && p.Addr() == a
}

// write writes the projection into the pool's status when it differs, with
// the read's resourceVersion as the precondition. The write makes the
// projector the manager of status.allocatedIPs, which tells everyone the
// status is its own (claims.ForeignStatus). A status that needed no write
// but is not the projector's (records adopted, none dropped) is marked own
// by the digest annotation instead: skipping it after a write saves a
// second write and watch event of the whole pool per projection. Where the
// API server keeps no managedFields, the digest is written after each write.
func (r *ClaimProjector) write(ctx context.Context, pool *spiderpoolv2beta1.SpiderIPPool, proj claims.Projection) error {
	records, count := spiderpoolv2beta1.FormatAllocatedIPs(proj.Records), proj.Count()
	if ptr.Deref(records, "") != ptr.Deref(pool.Status.AllocatedIPs, "") || ptr.Deref(pool.Status.AllocatedIPCount, -1) != count {
		patch, err := recordsPatch(pool.ResourceVersion, records, count)
		if err != nil {
			return fmt.Errorf("write status of SpiderIPPool %s: %w", pool.Name, err)
		}
		if err := r.Client.Status().Patch(ctx, pool, patch, client.FieldOwner(ipamclaimsv1alpha1.ProjectorFieldManager)); err != nil {
			return fmt.Errorf("write status of SpiderIPPool %s: %w", pool.Name, err)
		}
		r.wrote(pool.Name)
		r.remember(pool, proj.Records)
	}
	// pool is the API server's answer to the write, if any: with its
	// managedFields, or without them where the server keeps none.
	if !claims.ForeignStatus(pool) {
		return nil
	}
	digest := claims.Digest(pool.Status.AllocatedIPs)
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{ipamclaimsv1alpha1.AnnoProjectedDigest: digest}}})
	if err == nil {
		err = r.Client.Patch(ctx, pool, client.RawPatch(types.MergePatchType, patch))
	}
	if err != nil {
		return fmt.Errorf("annotate SpiderIPPool %s with its projection: %w", pool.Name, err)
	}
	r.remember(pool, proj.Records) // the status is unchanged: it holds these
	return nil
}

// keep hands pool to the claim storage (ipamclaimsv1alpha1.AnnoStorage) on
// the projector's first sight of it, with the read's resourceVersion as
// the precondition: from then on a writer of its records without the claim
// storage refuses it (store.CheckWritable), so the records it adopts and
// projects are the last such a writer made.
func (r *ClaimProjector) keep(ctx context.Context, pool *spiderpoolv2beta1.SpiderIPPool) error {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"resourceVersion": pool.ResourceVersion,
		"annotations":     map[string]string{ipamclaimsv1alpha1.AnnoStorage: ipamclaimsv1alpha1.StorageClaims},
	}})
	if err == nil {
		err = r.Client.Patch(ctx, pool, client.RawPatch(types.MergePatchType, patch))
	}
	if err != nil {
		return fmt.Errorf("hand SpiderIPPool %s to the claim storage: %w", pool.Name, err)
	}
	return nil
}

// recordsPatch is the merge patch that sets a pool's records and count on
// the condition of resourceVersion. It is built directly rather than by
// diffing the pool before and after (client.MergeFrom), which would encode
// and decode the whole record list four times per projection.
func recordsPatch(resourceVersion string, records *string, count int64) (client.Patch, error) {
	var p struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
		Status struct {
			AllocatedIPs     *string `json:"allocatedIPs"`
			AllocatedIPCount int64   `json:"allocatedIPCount"`
		} `json:"status"`
	}
	p.Metadata.ResourceVersion = resourceVersion
	p.Status.AllocatedIPs, p.Status.AllocatedIPCount = records, count
	data, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode the records patch: %w", err)
	}
	return client.RawPatch(types.MergePatchType, data), nil
}
