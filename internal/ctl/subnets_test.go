// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// subnet creates subnet <ns>-<name> over cidr with ips, whose
// status.controlledIPPools records pools (pool -> its ranges).
func (e *kenv) subnet(name, cidr string, ips []string, pools map[string][]string) string {
	e.t.Helper()
	sn := &spiderpoolv2beta1.SpiderSubnet{
		ObjectMeta: metav1.ObjectMeta{Name: e.ns + "-" + name},
		Spec:       spiderpoolv2beta1.SubnetSpec{IPVersion: ptr.To[int64](4), Subnet: cidr, IPs: ips},
	}
	e.create(sn)
	e.t.Cleanup(func() { _ = e.c.Delete(context.WithoutCancel(e.ctx()), sn) })
	recs := spiderpoolv2beta1.PoolIPPreAllocations{}
	for pool, r := range pools {
		recs[pool] = spiderpoolv2beta1.PoolIPPreAllocation{IPs: r}
	}
	sn.Status.ControlledIPPools = spiderpoolv2beta1.FormatControlledIPPools(recs)
	if err := e.c.Status().Update(e.ctx(), sn); err != nil {
		e.t.Fatal(err)
	}
	return sn.Name
}

func TestSubnetListCommand(t *testing.T) {
	e := newKenv(t)
	a, b := e.pod("a"), e.pod("b")
	auto := e.pool("auto", "10.13.0.0/24", []string{"10.13.0.10-10.13.0.12"}, map[string][2]string{
		"10.13.0.10": {"a", string(a.UID)}, "10.13.0.11": {"b", string(b.UID)},
	})
	e.labelApp(auto, "Deployment", "web")
	manual := e.pool("manual", "10.13.0.0/24", []string{"10.13.0.100-10.13.0.104"}, nil)
	sub := e.subnet("s", "10.13.0.0/24", []string{"10.13.0.10-10.13.0.199"}, map[string][]string{
		auto: {"10.13.0.10-10.13.0.12"}, manual: {"10.13.0.100-10.13.0.104"},
	})
	empty := e.subnet("e", "10.14.0.0/24", []string{"10.14.0.1-10.14.0.10"}, nil)

	var list SubnetList
	e.runJSON(ExitOK, &list, "subnet", "list")
	got := map[string]SubnetRow{}
	for _, r := range list.Subnets {
		got[r.Name] = r
	}
	want := map[string]SubnetRow{
		sub: {Name: sub, IPVersion: 4, Subnet: "10.13.0.0/24", Pools: sortedPair(auto, manual),
			PreAllocated: 8, Used: 2, Free: 182, Total: 190},
		empty: {Name: empty, IPVersion: 4, Subnet: "10.14.0.0/24", Pools: []string{}, Free: 10, Total: 10},
	}
	for name, w := range want {
		if diff := cmp.Diff(w, got[name]); diff != "" {
			t.Errorf("subnet %s (-want +got):\n%s", name, diff)
		}
	}

	var pools PoolList
	e.runJSON(ExitOK, &pools, "pool", "list")
	for _, r := range pools.Pools {
		if wantApp := map[string]string{auto: "Deployment " + e.ns + "/web", manual: ""}[r.Name]; r.Name == auto || r.Name == manual {
			if r.Application != wantApp {
				t.Errorf("pool %s: application %q, want %q", r.Name, r.Application, wantApp)
			}
		}
	}
	code, out, _ := e.run("subnet", "list")
	if code != ExitOK || !strings.Contains(out, "PRE-ALLOCATED") || !strings.Contains(out, sub) {
		t.Errorf("subnet list table: exit %d\n%s", code, out)
	}
}

// labelApp gives pool the owner labels of an auto-created pool of the
// application kind/name in the test's namespace.
func (e *kenv) labelApp(pool, kind, name string) {
	e.t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{}
	if err := e.c.Get(e.ctx(), client.ObjectKey{Name: pool}, p); err != nil {
		e.t.Fatal(err)
	}
	p.Labels = map[string]string{
		spiderpoolv2beta1.LabelOwnerApplicationKind:      kind,
		spiderpoolv2beta1.LabelOwnerApplicationNamespace: e.ns,
		spiderpoolv2beta1.LabelOwnerApplicationName:      name,
	}
	if err := e.c.Update(e.ctx(), p); err != nil {
		e.t.Fatal(err)
	}
}

func sortedPair(a, b string) []string {
	if b < a {
		a, b = b, a
	}
	return []string{a, b}
}
