// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package autopool_test

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
)

func TestFindAppPools(t *testing.T) {
	app := autopool.App{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "ns", Name: "web", UID: "new"}
	old := app
	old.UID = "old"
	pool := func(name string, a autopool.App, ifName string, reclaim bool) spiderpoolv2beta1.SpiderIPPool {
		return spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: name,
			Labels: autopool.PoolLabels("s", "10.0.0.0/24", a, ifName, allocator.IPv4, reclaim)}}
	}
	pools := []spiderpoolv2beta1.SpiderIPPool{
		pool("mine", app, "eth0", true),
		pool("kept", old, "eth0", false),
		pool("reclaimed", old, "eth0", true),
		pool("other-nic", app, "net1", true),
	}
	got := autopool.FindAppPools(pools, "s", app, "eth0", allocator.IPv4)
	if len(got) != 2 || got[0].Name != "mine" || got[1].Name != "kept" {
		t.Errorf("FindAppPools = %v", names(got))
	}
	if got := autopool.FindAppPools(pools, "s", app, "eth0", allocator.IPv6); len(got) != 0 {
		t.Errorf("IPv6: %v", names(got))
	}
	l := pools[0].Labels
	if l[spiderpoolv2beta1.LabelOwnerApplicationGV] != "apps_v1" || l[spiderpoolv2beta1.LabelIPPoolCIDR] != "10-0-0-0-24" ||
		l[spiderpoolv2beta1.LabelIPPoolReclaim] != "true" || l[spiderpoolv2beta1.LabelIPPoolVersion] != "IPv4" {
		t.Errorf("labels %v", l)
	}
	if a := autopool.AffinityLabels(app); len(a) != 5 || a[spiderpoolv2beta1.AppLabelAPIGroup] != "apps" {
		t.Errorf("affinity %v", a)
	}
}

func names(pools []*spiderpoolv2beta1.SpiderIPPool) []string {
	var out []string
	for _, p := range pools {
		out = append(out, p.Name)
	}
	return out
}
