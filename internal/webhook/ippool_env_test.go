// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestIPPoolThroughAPI creates valid pools and checks what the mutating
// webhook stored, then sends invalid ones and checks each rejection.
func TestIPPoolThroughAPI(t *testing.T) {
	c := sharedEnv(t).client
	merged := ipPool("pool-merged", "10.10.0.0/16", "10.10.0.20-10.10.0.30", "10.10.0.10-10.10.0.21")
	merged.Spec.ExcludeIPs = []string{"10.10.0.26", "10.10.0.25"}
	merged.Spec.Gateway = ptr.To("10.10.0.1")
	merged.Spec.Routes = []spiderpoolv2beta1.Route{{Dst: "10.99.0.0/16", Gw: "10.10.0.1"}}
	create(t, c, merged)
	t.Cleanup(func() { release(t, c, merged) })
	want := spiderpoolv2beta1.IPPoolSpec{
		IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: "10.10.0.0/16",
		IPs: []string{"10.10.0.10-10.10.0.30"}, ExcludeIPs: []string{"10.10.0.25-10.10.0.26"},
		Gateway: ptr.To("10.10.0.1"), Routes: merged.Spec.Routes, Default: ptr.To(false), Disable: ptr.To(false),
	}
	if diff := cmp.Diff(want, merged.Spec); diff != "" {
		t.Errorf("stored spec (-want +got):\n%s", diff)
	}
	if merged.Labels[spiderpoolv2beta1.LabelIPPoolCIDR] != "10-10-0-0-16" || !cmp.Equal(merged.Finalizers, []string{spiderpoolv2beta1.SpiderFinalizer}) {
		t.Errorf("stored labels %v, finalizers %v", merged.Labels, merged.Finalizers)
	}

	for _, p := range []*spiderpoolv2beta1.SpiderIPPool{
		ipPool("pool-v6", "fd10::/64", "fd10::10-fd10::20"),
		ipPool("pool-slash8", "11.0.0.0/8", "11.0.0.1-11.255.255.254"),
		ipPool("pool-slash48", "fd11::/48", "fd11::1-fd11::ffff:ffff:ffff:ffff:ffff"),
		ipPool("pool-merged-neighbour", "10.10.0.0/16", "10.10.0.25", "10.10.0.31-10.10.0.40"),
	} {
		create(t, c, p)
		t.Cleanup(func() { release(t, c, p) })
		if p.Spec.IPVersion == nil || len(p.Finalizers) != 1 {
			t.Errorf("%s stored without ipVersion or finalizer: %+v", p.Name, p)
		}
	}

	for _, tc := range []struct {
		name  string
		pool  *spiderpoolv2beta1.SpiderIPPool
		wants []string
	}{
		{"non-canonical subnet", ipPool("bad-cidr", "10.11.0.1/16"),
			[]string{`spec.subnet: Invalid value: "10.11.0.1/16": unformatted subnet 10.11.0.1/16, please change it to 10.11.0.0/16`}},
		{"ip outside the subnet", ipPool("bad-ip", "10.12.0.0/16", "10.12.0.1", "10.13.0.1"),
			[]string{`spec.ips[1]: Invalid value: "10.13.0.1": is not inside spec.subnet 10.12.0.0/16`}},
		{"gateway handed out", with(ipPool("bad-gw", "10.12.0.0/16", "10.12.0.1-10.12.0.9"), func(p *spiderpoolv2beta1.SpiderIPPool) {
			p.Spec.Gateway = ptr.To("10.12.0.1")
		}), []string{`spec.gateway: Invalid value: "10.12.0.1": is inside spec.ips[0]`, "add it to spec.excludeIPs"}},
		{"default route", with(ipPool("bad-route", "10.12.0.0/16"), func(p *spiderpoolv2beta1.SpiderIPPool) {
			p.Spec.Routes = []spiderpoolv2beta1.Route{{Dst: "0.0.0.0/0", Gw: "10.12.0.1"}}
		}), []string{`spec.routes[0].dst: Invalid value: "0.0.0.0/0": is a default route`}},
		{"empty pod affinity", with(ipPool("bad-affinity", "10.12.0.0/16"), func(p *spiderpoolv2beta1.SpiderIPPool) {
			p.Spec.PodAffinity = &metav1.LabelSelector{}
		}), []string{"spec.podAffinity: Invalid value", "would match every pod"}},
		{"addresses of another pool", ipPool("bad-overlap", "10.10.0.0/16", "10.10.0.5-10.10.0.15"),
			[]string{`spec.ips[0]: Invalid value: "10.10.0.5-10.10.0.15": overlaps SpiderIPPool "pool-merged" (10.10.0.10-10.10.0.24) in subnet 10.10.0.0/16; pick addresses outside it`}},
		{"subnet overlapping another pool's", ipPool("bad-subnet", "10.10.1.0/24"),
			[]string{`spec.subnet: Invalid value: "10.10.1.0/24": overlaps the subnet of SpiderIPPool "pool-merged" (10.10.0.0/16)`}},
		{"the /48 overlapped", ipPool("bad-v6", "fd11::/48", "fd11::ffff:0:0:1"),
			[]string{`overlaps SpiderIPPool "pool-slash48" (fd11::1-fd11::ffff:ffff:ffff:ffff:ffff)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rejected(t, c.Create(t.Context(), tc.pool), apierrors.IsInvalid, tc.wants...)
		})
	}
	t.Run("duplicate name", func(t *testing.T) {
		rejected(t, c.Create(t.Context(), ipPool("pool-v6", "10.14.0.0/16")), apierrors.IsAlreadyExists)
	})
}

// TestIPPoolUpdateAndDeleteThroughAPI checks that allocated IPs hold the
// pool: they cannot be removed, and the pool cannot be deleted.
func TestIPPoolUpdateAndDeleteThroughAPI(t *testing.T) {
	c := sharedEnv(t).client
	pool := ipPool("pool-busy", "10.15.0.0/16", "10.15.0.10-10.15.0.20")
	create(t, c, pool)
	t.Cleanup(func() { release(t, c, pool) })
	allocate(t, c, pool, spiderpoolv2beta1.PoolIPAllocations{
		"10.15.0.12": spiderpoolv2beta1.NewPoolIPAllocation("default", "web-0", "uid-0"),
		"10.15.0.18": spiderpoolv2beta1.NewPoolIPAllocation("default", "web-1", "uid-1"),
	})

	shrunk := pool.DeepCopy()
	shrunk.Spec.IPs = []string{"10.15.0.10-10.15.0.15"}
	rejected(t, c.Update(t.Context(), shrunk), apierrors.IsInvalid,
		"spec.ips: Forbidden: the update removes 10.15.0.18 (pod default/web-1), still allocated")
	grown := pool.DeepCopy()
	grown.Spec.IPs = []string{"10.15.0.10-10.15.0.30"}
	if err := c.Update(t.Context(), grown); err != nil {
		t.Fatalf("grow: %v", err)
	}
	moved := grown.DeepCopy()
	moved.Spec.IPVersion = ptr.To(spiderpoolv2beta1.IPv6)
	rejected(t, c.Update(t.Context(), moved), apierrors.IsInvalid, "spec.ipVersion: Invalid value: 6: field is immutable (was 4)")

	rejected(t, c.Delete(t.Context(), grown), apierrors.IsForbidden,
		`"pool-busy" is forbidden: cannot delete: 2 IPs are still allocated: 10.15.0.12 (pod default/web-0), 10.15.0.18 (pod default/web-1); delete those pods first`)
	allocate(t, c, grown, nil)
	if err := c.Delete(t.Context(), grown); err != nil {
		t.Fatalf("delete once released: %v", err)
	}
	terminating := &spiderpoolv2beta1.SpiderIPPool{}
	if err := c.Get(t.Context(), client.ObjectKeyFromObject(pool), terminating); err != nil || terminating.DeletionTimestamp == nil {
		t.Fatalf("the finalizer should hold the pool: %v, %+v", err, terminating.ObjectMeta)
	}
	edited := terminating.DeepCopy()
	edited.Spec.IPs = []string{"10.15.0.10"}
	rejected(t, c.Update(t.Context(), edited), apierrors.IsInvalid, "spec: Forbidden: the SpiderIPPool is being deleted")
}

// with applies edits to obj and returns it.
func with[T any](obj T, edits ...func(T)) T {
	for _, e := range edits {
		e(obj)
	}
	return obj
}
