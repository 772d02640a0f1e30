// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Record is one entry of a pool's status.allocatedIPs.
type Record struct {
	// Pool is the SpiderIPPool's name.
	Pool string `json:"pool"`
	// IP is the address in canonical form.
	IP string `json:"ip"`
	// Namespace and Name are the holder the record names.
	Namespace string `json:"namespace"`
	// Name is the holder's name.
	Name string `json:"name"`
	// UID is the pod UID the record names.
	UID string `json:"uid"`
}

// Claim is one address a SpiderEndpoint records for its pod.
type Claim struct {
	// Namespace and Name are the endpoint's (and its pod's).
	Namespace string `json:"namespace"`
	// Name is the endpoint's name.
	Name string `json:"name"`
	// UID is status.current.uid.
	UID string `json:"uid"`
	// Node is status.current.node.
	Node string `json:"node,omitempty"`
	// NIC is the pod interface.
	NIC string `json:"interface"`
	// Pool is the pool the endpoint says the address came from.
	Pool string `json:"pool"`
	// IP is the address in canonical form.
	IP string `json:"ip"`
	// CIDR is the address as recorded, with its prefix length.
	CIDR string `json:"cidr"`
}

// incarnation is a pod incarnation: the unit of liveness.
type incarnation struct {
	Namespace, Name, UID string
}

func (r Record) incarnation() incarnation { return incarnation{r.Namespace, r.Name, r.UID} }

func (c Claim) incarnation() incarnation { return incarnation{c.Namespace, c.Name, c.UID} }

func (i incarnation) pod() string { return i.Namespace + "/" + i.Name }

// Snapshot is the IPAM state read at one moment: pools, endpoints,
// reserved IPs and, with the claim storage, SpiderIPClaims.
type Snapshot struct {
	// Pools are all SpiderIPPools, by name.
	Pools []spiderpoolv2beta1.SpiderIPPool
	// Endpoints are all SpiderEndpoints, by namespace and name.
	Endpoints []spiderpoolv2beta1.SpiderEndpoint
	// Reserved are all SpiderReservedIPs.
	Reserved []spiderpoolv2beta1.SpiderReservedIP
	// SpiderIPClaims are all SpiderIPClaims, by name; none on a cluster
	// without their CRD.
	SpiderIPClaims []ipamclaimsv1alpha1.SpiderIPClaim
}

// LoadSnapshot lists SpiderIPClaims, pools, endpoints and reserved IPs
// through r. Pools are listed before endpoints: an allocation writes its
// pool record first and its endpoint last, so an allocation in flight shows
// at worst as a record without endpoint, never as an endpoint without
// record. Claims are listed first: an allocation on claims creates its
// claim before its endpoint, and the controller projects the pool's records
// from claims, so the records read next have had the most time to follow
// the claims read.
func LoadSnapshot(ctx context.Context, r client.Reader) (*Snapshot, error) {
	ipClaims, err := listIPClaims(ctx, r)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{SpiderIPClaims: ipClaims}
	var pools spiderpoolv2beta1.SpiderIPPoolList
	if err := r.List(ctx, &pools); err != nil {
		return nil, fmt.Errorf("list SpiderIPPools: %w", err)
	}
	var eps spiderpoolv2beta1.SpiderEndpointList
	if err := r.List(ctx, &eps); err != nil {
		return nil, fmt.Errorf("list SpiderEndpoints: %w", err)
	}
	var reserved spiderpoolv2beta1.SpiderReservedIPList
	if err := r.List(ctx, &reserved); err != nil {
		return nil, fmt.Errorf("list SpiderReservedIPs: %w", err)
	}
	s.Pools, s.Endpoints, s.Reserved = pools.Items, eps.Items, reserved.Items
	slices.SortFunc(s.Pools, func(a, b spiderpoolv2beta1.SpiderIPPool) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(s.Endpoints, func(a, b spiderpoolv2beta1.SpiderEndpoint) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	return s, nil
}

// Pool returns the pool called name, or nil.
func (s *Snapshot) Pool(name string) *spiderpoolv2beta1.SpiderIPPool {
	for i := range s.Pools {
		if s.Pools[i].Name == name {
			return &s.Pools[i]
		}
	}
	return nil
}

// Records returns the records of every pool, sorted by pool and address.
// A pool whose status.allocatedIPs does not parse is returned in bad.
func (s *Snapshot) Records() (records []Record, bad map[string]error) {
	for i := range s.Pools {
		recs, err := poolRecords(&s.Pools[i])
		if err != nil {
			if bad == nil {
				bad = map[string]error{}
			}
			bad[s.Pools[i].Name] = err
			continue
		}
		records = append(records, recs...)
	}
	return records, bad
}

// poolRecords decodes one pool's records, sorted by address.
func poolRecords(pool *spiderpoolv2beta1.SpiderIPPool) ([]Record, error) {
	allocs, err := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
	if err != nil {
		return nil, fmt.Errorf("pool %s: %w", pool.Name, err)
	}
	out := make([]Record, 0, len(allocs))
	for ip, a := range allocs {
		canon := canonicalIP(ip)
		if canon == "" {
			canon = ip // kept as written, so that it is still reported
		}
		out = append(out, Record{Pool: pool.Name, IP: canon, Namespace: a.Namespace(), Name: a.Name(), UID: a.PodUID})
	}
	slices.SortFunc(out, func(a, b Record) int { return compareIPs(a.IP, b.IP) })
	return out, nil
}

// Claims returns the addresses every endpoint records.
func (s *Snapshot) Claims() []Claim {
	var out []Claim
	for i := range s.Endpoints {
		out = append(out, endpointClaims(&s.Endpoints[i])...)
	}
	return out
}

// endpointClaims lists the addresses one endpoint records, per interface
// and family.
func endpointClaims(ep *spiderpoolv2beta1.SpiderEndpoint) []Claim {
	var out []Claim
	cur := ep.Status.Current
	for _, d := range cur.IPs {
		for _, fam := range []struct{ ip, pool *string }{{d.IPv4, d.IPv4Pool}, {d.IPv6, d.IPv6Pool}} {
			if fam.ip == nil || *fam.ip == "" {
				continue
			}
			c := Claim{
				Namespace: ep.Namespace, Name: ep.Name, UID: cur.UID, Node: cur.Node,
				NIC: d.NIC, IP: canonicalIP(*fam.ip), CIDR: *fam.ip,
			}
			if fam.pool != nil {
				c.Pool = *fam.pool
			}
			out = append(out, c)
		}
	}
	return out
}

// compareIPs orders addresses numerically, unparsable ones last by text.
func compareIPs(a, b string) int {
	x, errA := ParseIP(a)
	y, errB := ParseIP(b)
	switch {
	case errA == nil && errB == nil:
		return x.Compare(y)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return strings.Compare(a, b)
}
