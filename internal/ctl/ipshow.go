// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"net/netip"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Holding is one holder of an address: a pool record, the endpoint that
// lists it, or both, for one pod incarnation.
type Holding struct {
	// Pool is the pool the record or endpoint names.
	Pool string `json:"pool"`
	// Pod is the holder as "namespace/name".
	Pod string `json:"pod"`
	// UID is the holder's pod UID.
	UID string `json:"uid"`
	// Node is the node the endpoint records.
	Node string `json:"node,omitempty"`
	// NIC is the pod interface the endpoint records.
	NIC string `json:"interface,omitempty"`
	// CIDR is the address with its prefix length, as the endpoint records
	// it.
	CIDR string `json:"cidr,omitempty"`
	// Recorded says the pool records the address for this UID.
	Recorded bool `json:"recorded"`
	// Endpoint says the SpiderEndpoint lists the address for this UID.
	Endpoint bool `json:"endpoint"`
	// Since is the SpiderEndpoint's creation time: Spiderpool records no
	// allocation time, and a pod's endpoint is created with its first
	// allocation. A StatefulSet pod's endpoint outlives its pods, so this is
	// when the name first got addresses. Absent without endpoint.
	Since *metav1.Time `json:"since,omitempty"`
	// Alive says a pod of this UID exists and is alive.
	Alive bool `json:"alive"`
	// State is the GC's reason for its verdict on the holder.
	State string `json:"state"`
	// WouldRelease says the GC would release the holder's addresses.
	WouldRelease bool `json:"wouldRelease"`
}

// IPReport is the report of "ip show".
type IPReport struct {
	// IP is the address asked about.
	IP string `json:"ip"`
	// Holders are its holders; empty when the address is free.
	Holders []Holding `json:"holders"`
	// Quarantine is set while a pool keeps the address from every pod
	// because a host outside Kubernetes answered for it.
	Quarantine *Quarantine `json:"quarantine,omitempty"`
}

// ShowIP finds the holders of ip in s and judges each.
func ShowIP(ctx context.Context, s *Snapshot, ip netip.Addr, judge judgeFunc) (IPReport, error) {
	rep := IPReport{IP: ip.String(), Holders: []Holding{}}
	records, _ := s.Records() // a pool whose records do not parse cannot hold it
	index := map[string]int{} // pool+uid -> rep.Holders index
	for _, r := range records {
		if r.IP != rep.IP {
			continue
		}
		index[claimKey(r.Pool, "", r.UID)] = len(rep.Holders)
		rep.Holders = append(rep.Holders, Holding{Pool: r.Pool, Pod: r.incarnation().pod(), UID: r.UID, Recorded: true})
	}
	for i := range s.Endpoints {
		ep := &s.Endpoints[i]
		for _, c := range endpointClaims(ep) {
			if c.IP != rep.IP {
				continue
			}
			k := claimKey(c.Pool, "", c.UID)
			if _, ok := index[k]; !ok {
				index[k] = len(rep.Holders)
				rep.Holders = append(rep.Holders, Holding{Pool: c.Pool, Pod: c.incarnation().pod(), UID: c.UID})
			}
			h := &rep.Holders[index[k]]
			h.Endpoint, h.Node, h.NIC, h.CIDR = true, c.Node, c.NIC, c.CIDR
			h.Since = ep.CreationTimestamp.DeepCopy()
		}
	}
	rep.Quarantine = s.quarantined(ip)
	return rep, judgeHoldings(ctx, rep.Holders, judge)
}

// judgeHoldings fills the liveness of each holding.
func judgeHoldings(ctx context.Context, hs []Holding, judge judgeFunc) error {
	j := newJudges(judge)
	for i := range hs {
		ref, err := ParsePodRef(hs[i].Pod, "")
		if err != nil {
			ref = PodRef{Name: hs[i].Pod} // a malformed record: judged as a pod that does not exist
		}
		v, err := j.of(ctx, incarnation{Namespace: ref.Namespace, Name: ref.Name, UID: hs[i].UID})
		if err != nil {
			return err
		}
		hs[i].Alive, hs[i].State, hs[i].WouldRelease = v.HolderAlive, v.Reason, v.Release
	}
	return nil
}
