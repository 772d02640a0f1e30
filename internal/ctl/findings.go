// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"cmp"
	"slices"
)

// Kind names a class of finding of "check".
type Kind string

// Kinds of findings. The first six are problems (exit code 1); the last
// two are notes.
const (
	// KindDuplicateRecord: one address is recorded in more than one pool.
	KindDuplicateRecord Kind = "duplicate-record"
	// KindDuplicateClaim: endpoints of two live pods claim one address.
	KindDuplicateClaim Kind = "duplicate-claim"
	// KindLeakedRecord: a pool record whose pod (of that UID) is gone or
	// dead; the GC would release it.
	KindLeakedRecord Kind = "leaked-record"
	// KindStaleEndpoint: an endpoint whose pod (of its UID) is gone or
	// dead and that the GC would release.
	KindStaleEndpoint Kind = "stale-endpoint"
	// KindRecordWithoutEndpoint: a record of a pod that is not dead whose
	// endpoint does not list the address for that UID.
	KindRecordWithoutEndpoint Kind = "record-without-endpoint"
	// KindEndpointWithoutRecord: an endpoint lists an address that its
	// pool does not record for the endpoint's UID.
	KindEndpointWithoutRecord Kind = "endpoint-without-record"
	// KindBadPool: a pool whose status.allocatedIPs does not parse.
	KindBadPool Kind = "bad-pool"

	// KindKeptByDesign: a dead StatefulSet (or KubeVirt) pod's addresses
	// kept for the next pod of the same name.
	KindKeptByDesign Kind = "kept-by-design"
	// KindPendingGC: a dead pod within its grace period, or kept by a GC
	// switch; not a leak yet.
	KindPendingGC Kind = "pending-gc"
)

// problem reports whether findings of kind k make "check" (and "migrate
// check") fail.
func (k Kind) problem() bool {
	switch k {
	case KindKeptByDesign, KindPendingGC, KindUnnamedNIC, KindNoHelmRelease, KindOwnCleanupHook, KindCountDrift,
		KindProjectionPending, KindAdoptionPending:
		return false
	}
	return true
}

// Finding is one result of "check".
type Finding struct {
	// Kind classifies the finding.
	Kind Kind `json:"kind"`
	// Problem says the finding makes "check" fail.
	Problem bool `json:"problem"`
	// IP is the address concerned, if one.
	IP string `json:"ip,omitempty"`
	// Pool is the pool concerned, if one.
	Pool string `json:"pool,omitempty"`
	// Pod is the holder as "namespace/name".
	Pod string `json:"pod,omitempty"`
	// UID is the holder's pod UID.
	UID string `json:"uid,omitempty"`
	// IPClaim is the SpiderIPClaim concerned, if one.
	IPClaim string `json:"ipClaim,omitempty"`
	// Detail says more, e.g. the GC's reason.
	Detail string `json:"detail,omitempty"`
}

func newFinding(k Kind, ip, pool string, inc incarnation, detail string) Finding {
	f := Finding{Kind: k, Problem: k.problem(), IP: ip, Pool: pool, UID: inc.UID, Detail: detail}
	if inc.Name != "" {
		f.Pod = inc.pod()
	}
	return f
}

// CheckReport is the report of "check".
type CheckReport struct {
	// Pools, Records and Endpoints count what was checked.
	Pools int `json:"pools"`
	// Records is the number of pool records.
	Records int `json:"records"`
	// Endpoints is the number of SpiderEndpoints.
	Endpoints int `json:"endpoints"`
	// IPClaims is the number of SpiderIPClaims (the claim storage).
	IPClaims int `json:"ipClaims,omitempty"`
	// Problems is the number of findings that are problems.
	Problems int `json:"problems"`
	// Findings are problems first, then notes, each by address.
	Findings []Finding `json:"findings"`
}

// sortFindings orders problems first, then by kind, address, pool, pod.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.Problem != b.Problem {
			if a.Problem {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), compareIPs(a.IP, b.IP),
			cmp.Compare(a.Pool, b.Pool), cmp.Compare(a.Pod, b.Pod), cmp.Compare(a.UID, b.UID))
	})
}
