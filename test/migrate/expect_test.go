// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package migrate

import (
	"fmt"
	"slices"
	"testing"

	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/test/fixtures"
)

// recorded is what the fixture says a pod holds: its endpoint's entries,
// its node, and the container ID and CNI result of its last ADD per NIC.
type recorded struct {
	name      string
	node      string
	nics      []spiderpoolv2beta1.IPAllocationDetail
	container string
	results   map[string]*fixtures.CNIResult
}

// recordedPods returns every pod of the fixture's final state.
func recordedPods(t *testing.T, st *fixtures.State) []recorded {
	t.Helper()
	objs, err := fixtures.Typed(ipamtest.Scheme(), st.Endpoints)
	if err != nil {
		t.Fatal(err)
	}
	calls, err := fixtures.LoadCNICalls()
	if err != nil {
		t.Fatal(err)
	}
	var out []recorded
	for _, o := range objs {
		ep := o.(*spiderpoolv2beta1.SpiderEndpoint)
		r := recorded{name: ep.Name, node: ep.Status.Current.Node, nics: ep.Status.Current.IPs, results: map[string]*fixtures.CNIResult{}}
		for _, c := range calls {
			if c.Pod == ep.Name && c.Command == "ADD" {
				r.container, r.results[c.IfName] = c.ContainerID, c.Result
			}
		}
		out = append(out, r)
	}
	return out
}

// addresses returns the addresses the entries record, "pool/ip" without
// prefix length.
func (r recorded) addresses() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	add := func(pool, cidr *string) {
		if cidr == nil {
			return
		}
		if out[*pool] == nil {
			out[*pool] = map[string]bool{}
		}
		out[*pool][stripPrefix(*cidr)] = true
	}
	for _, d := range r.nics {
		add(d.IPv4Pool, d.IPv4)
		add(d.IPv6Pool, d.IPv6)
	}
	return out
}

func stripPrefix(cidr string) string {
	for i := range cidr {
		if cidr[i] == '/' {
			return cidr[:i]
		}
	}
	return cidr
}

// compareNIC checks our answer for one interface against the endpoint
// entry and Spiderpool's own CNI result for it.
func compareNIC(t *testing.T, pod string, want spiderpoolv2beta1.IPAllocationDetail, res *fixtures.CNIResult, got ipam.NIC) {
	t.Helper()
	fam := func(name string, ip, pool, gw *string, c *ipam.IPConfig) {
		switch {
		case ip == nil && c == nil:
		case ip == nil || c == nil:
			t.Errorf("%s %s %s: got %+v, want %v", pod, want.NIC, name, c, ptr.Deref(ip, "none"))
		default:
			gotGW := ""
			if c.Gateway.IsValid() {
				gotGW = c.Gateway.String()
			}
			if c.Address.String() != *ip || c.Pool != *pool || gotGW != ptr.Deref(gw, "") {
				t.Errorf("%s %s %s: got %s from %s gateway %q, want %s from %s gateway %q", pod, want.NIC, name,
					c.Address, c.Pool, gotGW, *ip, *pool, ptr.Deref(gw, ""))
			}
		}
	}
	fam("IPv4", want.IPv4, want.IPv4Pool, want.IPv4Gateway, got.IPv4)
	fam("IPv6", want.IPv6, want.IPv6Pool, want.IPv6Gateway, got.IPv6)
	if res == nil {
		t.Errorf("%s %s: no recorded CNI result", pod, want.NIC)
		return
	}
	var wantRoutes, gotRoutes []string
	for _, r := range res.Routes {
		wantRoutes = append(wantRoutes, r.Dst+" via "+r.GW)
	}
	for _, r := range got.Routes {
		gotRoutes = append(gotRoutes, fmt.Sprintf("%s via %s", r.Dst, r.GW))
	}
	slices.Sort(wantRoutes)
	slices.Sort(gotRoutes)
	if !slices.Equal(wantRoutes, gotRoutes) {
		t.Errorf("%s %s: routes %v, Spiderpool returned %v", pod, want.NIC, gotRoutes, wantRoutes)
	}
}
