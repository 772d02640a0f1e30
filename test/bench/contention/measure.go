// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"k8s.io/client-go/rest"

	"github.com/spiderpool-go/spiderpool/test/bench"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

const spiderGroup = "spiderpool.spidernet.io"

// claimGroup is the group of SpiderIPClaims (the claim storage).
const claimGroup = "ipam.spiderpool-go.io"

// snapshot is the counters a phase's figures are differences of.
type snapshot struct {
	at       time.Time
	requests bench.RequestCounts
	cpu      map[string]float64
	err      error
}

// takeSnapshot reads the API server's request counters and the CPU time
// of every live lab process, by its lab name (agent-<node>, etcd, ...).
func takeSnapshot(ctx context.Context, cfg *rest.Config, l *lab.Lab) snapshot {
	s := snapshot{at: time.Now(), cpu: map[string]float64{}}
	s.requests, s.err = bench.ScrapeRequests(ctx, cfg)
	for name, pid := range l.PIDs() {
		if sec, ok := bench.ProcessCPU(pid); ok {
			s.cpu[name] = sec
		}
	}
	return s
}

// APIFigures are a phase's API server requests, from apiserver_request_total.
type APIFigures struct {
	// Requests is every request the API server served, any client.
	Requests float64 `json:"requests"`
	// SpiderRequests is those of the spiderpool.spidernet.io group.
	SpiderRequests float64 `json:"spiderRequests"`
	// PoolWrites is successful PUT or PATCH of spiderippools (status
	// included); PoolConflicts is spiderippools requests answered 409.
	PoolWrites    float64 `json:"poolWrites"`
	PoolConflicts float64 `json:"poolConflicts"`
	// EndpointCreates is successful POST of spiderendpoints;
	// EndpointWrites successful PUT, PATCH and DELETE of them.
	EndpointCreates float64 `json:"endpointCreates"`
	EndpointWrites  float64 `json:"endpointWrites"`
	// Conflicts is every 409 of the spiderpool.spidernet.io group.
	Conflicts float64 `json:"conflicts"`
	// ClaimWrites is successful POST, PUT, PATCH and DELETE of
	// spideripclaims; ClaimConflicts is spideripclaims requests answered
	// 409 (a create another agent won: AlreadyExists).
	ClaimWrites    float64 `json:"claimWrites"`
	ClaimConflicts float64 `json:"claimConflicts"`
	// Gets is GET (single objects, not LIST or WATCH) of the group's
	// resources and of pods.
	Gets float64 `json:"gets"`
}

// apiFigures sums the series of a phase's request counts.
func apiFigures(d bench.RequestCounts) APIFigures {
	var f APIFigures
	for k, v := range d {
		f.Requests += v
		ok := strings.HasPrefix(k.Code, "2")
		if k.Verb == "GET" && (k.Group == spiderGroup || (k.Group == "" && k.Resource == "pods")) {
			f.Gets += v
		}
		if k.Group == claimGroup && k.Resource == "spideripclaims" {
			f.ClaimWrites += count(ok && k.Verb != "GET" && k.Verb != "LIST" && k.Verb != "WATCH", v)
			f.ClaimConflicts += count(k.Code == "409", v)
		}
		if k.Group != spiderGroup {
			continue
		}
		f.SpiderRequests += v
		if k.Code == "409" {
			f.Conflicts += v
		}
		switch k.Resource {
		case "spiderippools":
			f.PoolWrites += count(ok && (k.Verb == "PUT" || k.Verb == "PATCH"), v)
			f.PoolConflicts += count(k.Code == "409", v)
		case "spiderendpoints":
			f.EndpointCreates += count(ok && k.Verb == "POST", v)
			f.EndpointWrites += count(ok && (k.Verb == "PUT" || k.Verb == "PATCH" || k.Verb == "DELETE"), v)
		}
	}
	return f
}

func count(when bool, v float64) float64 {
	if when {
		return v
	}
	return 0
}

// per divides every figure by n (0 gives 0).
func (f APIFigures) per(n int) APIFigures {
	if n == 0 {
		return APIFigures{}
	}
	d := float64(n)
	return APIFigures{Requests: f.Requests / d, SpiderRequests: f.SpiderRequests / d, PoolWrites: f.PoolWrites / d,
		PoolConflicts: f.PoolConflicts / d, EndpointCreates: f.EndpointCreates / d, EndpointWrites: f.EndpointWrites / d,
		Conflicts: f.Conflicts / d, Gets: f.Gets / d, ClaimWrites: f.ClaimWrites / d, ClaimConflicts: f.ClaimConflicts / d}
}

// RequestDelta is one apiserver_request_total series' increase in a phase.
type RequestDelta struct {
	bench.RequestKey
	Count float64 `json:"count"`
}

// requestDeltas lists the phase's series of the spiderpool group, of the
// claims and of pods, most requests first.
func requestDeltas(d bench.RequestCounts) []RequestDelta {
	var out []RequestDelta
	for k, v := range d {
		if k.Group == spiderGroup || k.Group == claimGroup || (k.Group == "" && k.Resource == "pods") {
			out = append(out, RequestDelta{RequestKey: k, Count: v})
		}
	}
	slices.SortFunc(out, func(a, b RequestDelta) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Resource+a.Verb+a.Code, b.Resource+b.Verb+b.Code)
	})
	return out
}
