// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
)

// IPClaim is one SpiderIPClaim of the claim storage (docs/ipam.md, "one
// claim object per address"): the address of a pool it holds and its
// holder. Not to be confused with Claim, an address a SpiderEndpoint lists.
type IPClaim struct {
	// Name is the SpiderIPClaim's name.
	Name string `json:"name"`
	// Pool is spec.pool.
	Pool string `json:"pool"`
	// IP is spec.ip in canonical form, or as written when it is no address.
	IP string `json:"ip"`
	// Namespace is spec.podNamespace.
	Namespace string `json:"namespace"`
	// PodName is spec.podName.
	PodName string `json:"podName"`
	// UID is spec.podUID.
	UID string `json:"uid"`
	// Node is spec.node.
	Node string `json:"node,omitempty"`
	// NIC is spec.nic.
	NIC string `json:"interface,omitempty"`
}

func (c IPClaim) incarnation() incarnation { return incarnation{c.Namespace, c.PodName, c.UID} }

// judgeable reports whether the claim names a whole incarnation; the GC
// leaves the others alone, as nothing can prove their holder dead.
func (c IPClaim) judgeable() bool { return c.Namespace != "" && c.PodName != "" && c.UID != "" }

// expectedName returns the name the claim of its pool and address must
// have (claims.Name), or "" when spec.pool or spec.ip cannot name one.
func (c IPClaim) expectedName() string {
	a, err := netip.ParseAddr(c.IP)
	if err != nil {
		return ""
	}
	name, err := claims.Name(c.Pool, a)
	if err != nil {
		return ""
	}
	return name
}

// listIPClaims lists the SpiderIPClaims, sorted by name. A cluster without
// the CRD (Spiderpool's own, or ours before the claim storage) has none: a
// kind the API server does not know (NoMatch from discovery, NotFound from
// a mapping cached before the CRD went) is an empty list, not an error.
func listIPClaims(ctx context.Context, r client.Reader) ([]ipamclaimsv1alpha1.SpiderIPClaim, error) {
	var list ipamclaimsv1alpha1.SpiderIPClaimList
	err := r.List(ctx, &list)
	switch {
	case meta.IsNoMatchError(err) || apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("list SpiderIPClaims: %w (spiderpoolctl needs list on spideripclaims.%s)",
			err, ipamclaimsv1alpha1.GroupName)
	}
	slices.SortFunc(list.Items, func(a, b ipamclaimsv1alpha1.SpiderIPClaim) int { return strings.Compare(a.Name, b.Name) })
	return list.Items, nil
}

// IPClaims returns the snapshot's SpiderIPClaims, by name.
func (s *Snapshot) IPClaims() []IPClaim {
	out := make([]IPClaim, 0, len(s.SpiderIPClaims))
	for i := range s.SpiderIPClaims {
		o := &s.SpiderIPClaims[i]
		ip := canonicalIP(o.Spec.IP)
		if ip == "" {
			ip = o.Spec.IP // kept as written, so that it is still reported
		}
		out = append(out, IPClaim{
			Name: o.Name, Pool: o.Spec.Pool, IP: ip, Namespace: o.Spec.PodNamespace, PodName: o.Spec.PodName,
			UID: o.Spec.PodUID, Node: o.Spec.Node, NIC: o.Spec.NIC,
		})
	}
	return out
}

// ProjectedStatus returns, for every pool, whether its status.allocatedIPs
// is the claim projector's last write (claims.Foreign is false: the
// digest annotation matches, or the status is empty).
func (s *Snapshot) ProjectedStatus() map[string]bool {
	own := make(map[string]bool, len(s.Pools))
	for i := range s.Pools {
		p := &s.Pools[i]
		own[p.Name] = !claims.ForeignStatus(p)
	}
	return own
}
