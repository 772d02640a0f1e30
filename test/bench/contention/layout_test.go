// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"encoding/json"
	"net/netip"
	"testing"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
)

var testNodes = []string{"n1", "n2", "n3"}

// poolSize counts the addresses of a pool's single range.
func poolSize(t *testing.T, p *spiderpoolv2beta1.SpiderIPPool) int {
	t.Helper()
	set, err := allocator.ParseSet(allocator.IPVersion(*p.Spec.IPVersion), p.Spec.IPs)
	if err != nil {
		t.Fatalf("pool %s: %v", p.Name, err)
	}
	return int(set.CountInt64())
}

func TestLayoutShared(t *testing.T) {
	l := layoutOf(Scenario{Name: "s", DualStack: true}, testNodes, 100)
	if len(l.Pools) != 2 || len(l.Pods) != 100 {
		t.Fatalf("pools %d, pods %d; want 2 and 100", len(l.Pools), len(l.Pods))
	}
	for _, p := range l.Pools {
		if got := poolSize(t, p); got != 100 {
			t.Errorf("pool %s holds %d addresses, want 100", p.Name, got)
		}
		if len(p.Spec.NodeName) != 0 {
			t.Errorf("shared pool %s is for nodes %v", p.Name, p.Spec.NodeName)
		}
	}
	if got := l.Pools[1].Spec.IPs[0]; got != "fd00:254::2-fd00:254::65" {
		t.Errorf("IPv6 pool %s, want fd00:254::2-fd00:254::65", got)
	}
	p := l.Pods[4]
	if p.Node != 1 || annotationValue(p.Pools) != `{"ipv4":["ct-s-v4"],"ipv6":["ct-s-v6"]}` {
		t.Errorf("pod 4: node %d, annotation %s", p.Node, annotationValue(p.Pools))
	}
	if _, err := annotation.ParseIPPool(annotationValue(p.Pools)); err != nil {
		t.Error(err)
	}
}

func TestLayoutPerNode(t *testing.T) {
	l := layoutOf(Scenario{Name: "p", PerNode: true}, testNodes, 100)
	if len(l.Pools) != 3 {
		t.Fatalf("%d pools, want 3", len(l.Pools))
	}
	want := []int{34, 33, 33}
	seen := map[string]bool{}
	for n, p := range l.Pools {
		if got := poolSize(t, p); got != want[n] {
			t.Errorf("pool %s holds %d, want %d", p.Name, got, want[n])
		}
		if len(p.Spec.NodeName) != 1 || p.Spec.NodeName[0] != testNodes[n] {
			t.Errorf("pool %s is for %v, want %s", p.Name, p.Spec.NodeName, testNodes[n])
		}
		seen[p.Spec.IPs[0]] = true
	}
	if l.Pools[1].Spec.IPs[0] != "10.254.0.36-10.254.0.68" || len(seen) != 3 {
		t.Errorf("ranges %v: want disjoint ranges, the second 10.254.0.36-10.254.0.68", seen)
	}
	for _, p := range l.Pods {
		if p.Pools.IPv4[0] != poolName(Scenario{Name: "p"}, 4, p.Node) || len(p.Pools.IPv6) != 0 {
			t.Errorf("pod %s on node %d names %v", p.Name, p.Node, p.Pools)
		}
	}
}

func TestLayoutForeign(t *testing.T) {
	l := layoutOf(Scenario{Name: "b", ForeignRecords: 20000}, testNodes, 1000)
	if len(l.Pools) != 1 || poolSize(t, l.Pools[0]) != bigPoolSize || l.ForeignPool != l.Pools[0].Name {
		t.Fatalf("want one /16 pool holding the foreign records, got %d pools, %s", len(l.Pools), l.ForeignPool)
	}
	set, err := allocator.ParseSet(allocator.IPv4, l.Pools[0].Spec.IPs)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Foreign) != 20000 {
		t.Fatalf("%d foreign records, want 20000", len(l.Foreign))
	}
	for ip := range l.Foreign {
		if !set.Contains(netip.MustParseAddr(ip)) {
			t.Fatalf("foreign record %s outside the pool", ip)
		}
	}
	// What etcd stores is the object's JSON, the string escaped: with the
	// 1,000 pods' records it must stay below etcd's default 1.5 MiB.
	data, err := json.Marshal(spiderpoolv2beta1.FormatAllocatedIPs(l.Foreign))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(data); n > 13<<20/10 {
		t.Errorf("foreign records take %d bytes, want at most 1.3 MiB", n)
	}
}

func TestAddrAt(t *testing.T) {
	for _, c := range []struct {
		a    string
		i    int
		want string
	}{{"10.254.0.2", 254, "10.254.1.0"}, {"fd00:254::2", 0xfe, "fd00:254::100"}} {
		if got := addrAt(netip.MustParseAddr(c.a), c.i); got.String() != c.want {
			t.Errorf("addrAt(%s, %d) = %s, want %s", c.a, c.i, got, c.want)
		}
	}
}

func TestPickScenarios(t *testing.T) {
	got, err := PickScenarios([]string{"shared-v4-big", "shared-v4"})
	if err != nil || len(got) != 2 || got[0].ForeignRecords != 20000 {
		t.Fatalf("PickScenarios = %v, %v", got, err)
	}
	if _, err := PickScenarios([]string{"nope"}); err == nil {
		t.Error("an unknown scenario was accepted")
	}
}

func TestOptionsValidate(t *testing.T) {
	ok := Options{Scenarios: StandardScenarios(), Builds: []Build{{Name: "current", AgentEnv: []string{"GOMAXPROCS=2"}}},
		Pods: 1000, Concurrency: 5}
	if err := ok.validate(10); err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]Options{
		"no build":       {Scenarios: ok.Scenarios, Pods: 10, Concurrency: 1},
		"fewer pods":     {Scenarios: ok.Scenarios, Builds: ok.Builds, Pods: 5, Concurrency: 1},
		"no concurrency": {Scenarios: ok.Scenarios, Builds: ok.Builds, Pods: 10},
		"too many pods":  {Scenarios: ok.Scenarios, Builds: ok.Builds, Pods: 50000, Concurrency: 1},
		"env not KEY=VALUE": {Scenarios: ok.Scenarios, Builds: []Build{{Name: "b", AgentEnv: []string{"GOMAXPROCS"}}},
			Pods: 10, Concurrency: 1},
	} {
		if err := o.validate(10); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
