// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

type pool = *spiderpoolv2beta1.SpiderIPPool

// withSubnet sets the subnet of a pool.
func withSubnet(cidr string) func(pool) {
	return func(p pool) { p.Spec.Subnet = cidr }
}

func TestIPPoolOverlaps(t *testing.T) {
	b := pool4("pool-b", "10.6.0.10-10.6.0.30")
	tests := []struct {
		name   string
		pool   pool
		others []spiderpoolv2beta1.SpiderIPPool
		want   []want
	}{
		{name: "disjoint in one subnet", pool: pool4("pool-a", "10.6.0.1-10.6.0.9", "10.6.0.31"), others: pools(b)},
		{name: "the brief's example", pool: pool4("pool-a", "10.6.0.5-10.6.0.20"), others: pools(b),
			want: []want{w("spec.ips[0]", field.ErrorTypeInvalid,
				`spec.ips[0]: Invalid value: "10.6.0.5-10.6.0.20": overlaps SpiderIPPool "pool-b" (10.6.0.10-10.6.0.30) in subnet 10.6.0.0/16; pick addresses outside it`)}},
		{name: "only the overlapping entry", pool: pool4("pool-a", "10.6.0.1", "10.6.0.30-10.6.0.40"), others: pools(b),
			want: []want{w("spec.ips[1]", field.ErrorTypeInvalid, `SpiderIPPool "pool-b"`)}},
		{name: "overlap excluded on our side", pool: with(pool4("pool-a", "10.6.0.1-10.6.0.40"), func(p pool) {
			p.Spec.ExcludeIPs = []string{"10.6.0.10-10.6.0.30"}
		}), others: pools(b)},
		{name: "overlap excluded on their side", pool: pool4("pool-a", "10.6.0.20"),
			others: pools(with(b, func(p pool) { p.Spec.ExcludeIPs = []string{"10.6.0.20"} }))},
		{name: "several pools", pool: pool4("pool-a", "10.6.0.1-10.6.0.100"),
			others: pools(b, pool4("pool-c", "10.6.0.50", "10.6.0.60"), pool4("pool-d", "10.6.1.1")),
			want:   []want{w("spec.ips[0]", field.ErrorTypeInvalid, `SpiderIPPool "pool-b" (10.6.0.10-10.6.0.30), SpiderIPPool "pool-c" (10.6.0.50, 10.6.0.60)`)}},
		{name: "other family ignored", pool: pool4("pool-a", "10.6.0.10"), others: pools(pool6("pool-6", "fd00::10"))},
		{name: "itself ignored", pool: pool4("pool-b", "10.6.0.10"), others: pools(b)},
		{name: "subnet inside another pool's", pool: with(pool4("pool-a"), withSubnet("10.6.1.0/24")), others: pools(b),
			want: []want{w("spec.subnet", field.ErrorTypeInvalid, `overlaps the subnet of SpiderIPPool "pool-b" (10.6.0.0/16)`, "exactly the same subnet")}},
		{name: "subnet around another pool's", pool: with(pool4("pool-a"), withSubnet("10.0.0.0/8")), others: pools(b),
			want: []want{w("spec.subnet", field.ErrorTypeInvalid, `SpiderIPPool "pool-b" (10.6.0.0/16)`)}},
		{name: "neighbouring subnets", pool: with(pool4("pool-a"), withSubnet("10.7.0.0/16")), others: pools(b)},
		{name: "many conflicting subnets listed briefly", pool: with(pool4("pool-a"), withSubnet("10.0.0.0/8")),
			others: pools(b, with(pool4("p2"), withSubnet("10.7.0.0/16")), with(pool4("p3"), withSubnet("10.8.0.0/16")),
				with(pool4("p4"), withSubnet("10.9.0.0/16")), with(pool4("p5"), withSubnet("10.10.0.0/16"))),
			want: []want{w("spec.subnet", field.ErrorTypeInvalid, `"p3" (10.8.0.0/16) and 2 more`)}},
		{name: "other pool with bad entries still compared", pool: pool4("pool-a", "10.6.0.10"),
			others: pools(pool4("pool-z", "garbage", "10.6.0.10")),
			want:   []want{w("spec.ips[0]", field.ErrorTypeInvalid, `SpiderIPPool "pool-z" (10.6.0.10)`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrs(t, ValidateIPPool(tt.pool, IPPoolEnv{Config: allOn, Pools: tt.others}), tt.want...)
		})
	}
}

func TestIPPoolInSubnet(t *testing.T) {
	subnet := subnet4("s1", "10.6.0.1-10.6.0.100")
	subnet.Spec.ExcludeIPs = []string{"10.6.0.50"}
	auto := func(p pool) {
		p.Labels = map[string]string{spiderpoolv2beta1.LabelOwnerApplicationName: "nginx"}
	}
	recorded := with(subnet, func(s *spiderpoolv2beta1.SpiderSubnet) {
		s.Status.ControlledIPPools = spiderpoolv2beta1.FormatControlledIPPools(spiderpoolv2beta1.PoolIPPreAllocations{
			"auto4-nginx": {IPs: []string{"10.6.0.10-10.6.0.12"}},
		})
	})
	tests := []struct {
		name   string
		pool   pool
		subnet *spiderpoolv2beta1.SpiderSubnet
		cfg    Config
		want   []want
	}{
		{name: "inside", pool: pool4("p", "10.6.0.1-10.6.0.49", "10.6.0.51-10.6.0.100"), subnet: subnet, cfg: allOn},
		{name: "subnet's excluded IP", pool: pool4("p", "10.6.0.40-10.6.0.60"), subnet: subnet, cfg: allOn,
			want: []want{w("spec.ips[0]", field.ErrorTypeInvalid, `10.6.0.50 not in SpiderSubnet "s1"`, "10.6.0.1-10.6.0.49, 10.6.0.51-10.6.0.100")}},
		{name: "excluded by the pool too", pool: with(pool4("p", "10.6.0.40-10.6.0.60"), func(p pool) { p.Spec.ExcludeIPs = []string{"10.6.0.50"} }),
			subnet: subnet, cfg: allOn},
		{name: "beyond the subnet's ips", pool: pool4("p", "10.6.0.90-10.6.0.110"), subnet: subnet, cfg: allOn,
			want: []want{w("spec.ips[0]", field.ErrorTypeInvalid, "10.6.0.101-10.6.0.110 not in")}},
		{name: "subnet feature off", pool: pool4("p", "10.6.0.90-10.6.0.110"), subnet: subnet, cfg: Config{EnableIPv4: true}},
		{name: "other CIDR than its subnet", pool: with(pool4("p"), withSubnet("10.6.0.0/24")), subnet: subnet, cfg: allOn,
			want: []want{w("spec.subnet", field.ErrorTypeInvalid, `differs from subnet 10.6.0.0/16 of SpiderSubnet "s1"`)}},
		{name: "auto pool as pre-allocated", pool: with(pool4("auto4-nginx", "10.6.0.10-10.6.0.12"), auto), subnet: recorded, cfg: allOn},
		{name: "auto pool edited", pool: with(pool4("auto4-nginx", "10.6.0.10-10.6.0.13"), auto), subnet: recorded, cfg: allOn,
			want: []want{w("spec.ips", field.ErrorTypeForbidden, "pre-allocated to it (10.6.0.10-10.6.0.12), not 10.6.0.10-10.6.0.13", spiderpoolv2beta1.AnnoPoolIPNumber)}},
		{name: "auto pool not recorded", pool: with(pool4("auto4-other", "10.6.0.10"), auto), subnet: recorded, cfg: allOn,
			want: []want{w("spec.ips", field.ErrorTypeForbidden, `SpiderSubnet "s1" has pre-allocated no IPs`, "spec.ips holds 10.6.0.10")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrs(t, ValidateIPPool(tt.pool, IPPoolEnv{Config: tt.cfg, Subnet: tt.subnet}), tt.want...)
		})
	}
}

func TestIPPoolAffinity(t *testing.T) {
	sel := func(labels map[string]string, exprs ...metav1.LabelSelectorRequirement) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchLabels: labels, MatchExpressions: exprs}
	}
	auto := map[string]string{spiderpoolv2beta1.LabelOwnerApplicationName: "nginx"}
	tests := []struct {
		name   string
		labels map[string]string
		pod    *metav1.LabelSelector
		node   *metav1.LabelSelector
		want   []want
	}{
		{name: "pod selector", pod: sel(map[string]string{"app": "web"})},
		{name: "empty pod selector", pod: sel(nil),
			want: []want{w("spec.podAffinity", field.ErrorTypeInvalid, "would match every pod")}},
		{name: "bad operator", pod: sel(nil, metav1.LabelSelectorRequirement{Key: "app", Operator: "Like"}),
			want: []want{w("spec.podAffinity.matchExpressions[0].operator", field.ErrorTypeInvalid)}},
		{name: "bad label key", pod: sel(map[string]string{"bad key": "x"}),
			want: []want{w("spec.podAffinity.matchLabels", field.ErrorTypeInvalid)}},
		{name: "auto pool with app keys", labels: auto, pod: sel(map[string]string{
			spiderpoolv2beta1.AppLabelKind: "Deployment", spiderpoolv2beta1.AppLabelName: "nginx"})},
		{name: "auto pool with other key", labels: auto, pod: sel(map[string]string{"app": "web"}),
			want: []want{w("spec.podAffinity.matchLabels[app]", field.ErrorTypeNotSupported, spiderpoolv2beta1.AppLabelName)}},
		{name: "auto pool with expressions", labels: auto,
			pod:  sel(nil, metav1.LabelSelectorRequirement{Key: "app", Operator: metav1.LabelSelectorOpExists}),
			want: []want{w("spec.podAffinity.matchExpressions", field.ErrorTypeForbidden, "matchLabels only")}},
		{name: "bad node selector", node: sel(nil, metav1.LabelSelectorRequirement{Key: "zone", Operator: metav1.LabelSelectorOpIn}),
			want: []want{w("spec.nodeAffinity.matchExpressions[0].values", field.ErrorTypeRequired)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pool4("p")
			p.Labels, p.Spec.PodAffinity, p.Spec.NodeAffinity = tt.labels, tt.pod, tt.node
			checkErrs(t, ValidateIPPool(p, IPPoolEnv{Config: allOn}), tt.want...)
		})
	}
}

func TestIPPoolUpdate(t *testing.T) {
	old := pool4("p", "10.6.0.10-10.6.0.20")
	old.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(spiderpoolv2beta1.PoolIPAllocations{
		"10.6.0.12": spiderpoolv2beta1.NewPoolIPAllocation("default", "web-1", "u1"),
		"10.6.0.15": spiderpoolv2beta1.NewPoolIPAllocation("default", "web-2", "u2"),
		"10.6.0.16": spiderpoolv2beta1.NewPoolIPAllocation("default", "web-3", "u3"),
		"10.6.0.17": spiderpoolv2beta1.NewPoolIPAllocation("default", "web-4", "u4"),
		"10.6.0.18": spiderpoolv2beta1.NewPoolIPAllocation("kube-system", "dns", "u5"),
	})
	deleting := func(p pool) { p.DeletionTimestamp = &metav1.Time{} }
	autoOld := with(pool4("auto4-web", "10.6.0.10-10.6.0.20"), func(p pool) {
		p.Labels = map[string]string{spiderpoolv2beta1.LabelOwnerApplicationKind: "Deployment",
			spiderpoolv2beta1.LabelOwnerApplicationNamespace: "default", spiderpoolv2beta1.LabelOwnerApplicationName: "web"}
		p.Spec.PodAffinity = &metav1.LabelSelector{MatchLabels: map[string]string{
			spiderpoolv2beta1.AppLabelKind: "Deployment", spiderpoolv2beta1.AppLabelNamespace: "default", spiderpoolv2beta1.AppLabelName: "web"}}
	})
	tests := []struct {
		name     string
		old, new pool
		cfg      Config
		want     []want
	}{
		{name: "grow", old: old, new: pool4("p", "10.6.0.10-10.6.0.30"), cfg: allOn},
		{name: "shrink around allocations", old: old, new: pool4("p", "10.6.0.12-10.6.0.18"), cfg: allOn},
		{name: "remove allocated IPs", old: old, new: pool4("p", "10.6.0.10-10.6.0.14"), cfg: allOn,
			want: []want{w("spec.ips", field.ErrorTypeForbidden,
				"removes 10.6.0.15 (pod default/web-2), 10.6.0.16 (pod default/web-3), 10.6.0.17 (pod default/web-4) and 1 more, still allocated")}},
		{name: "exclude an allocated IP", old: old, new: with(old, func(p pool) { p.Spec.ExcludeIPs = []string{"10.6.0.12"} }), cfg: allOn,
			want: []want{w("spec.excludeIPs", field.ErrorTypeForbidden, "excludes 10.6.0.12 (pod default/web-1)")}},
		{name: "ipVersion changed", old: old, new: with(old, func(p pool) { p.Spec.IPVersion = ptrTo[int64](6) }), cfg: allOn,
			want: []want{
				w("spec.ipVersion", field.ErrorTypeInvalid, `spec.ipVersion: Invalid value: 6: field is immutable (was 4); set it back, or create a new SpiderIPPool for IPv6 instead`),
				w("spec.subnet", field.ErrorTypeInvalid, "is an IPv4 subnet but spec.ipVersion is 6"),
			}},
		{name: "subnet changed", old: old, new: with(old, withSubnet("10.6.0.0/24")), cfg: allOn,
			want: []want{w("spec.subnet", field.ErrorTypeInvalid,
				`spec.subnet: Invalid value: "10.6.0.0/24": field is immutable (was "10.6.0.0/16"); set it back, or create a new SpiderIPPool instead`)}},
		{name: "ipVersion removed", old: old, new: with(old, func(p pool) { p.Spec.IPVersion = nil }), cfg: allOn,
			want: []want{
				w("spec.ipVersion", field.ErrorTypeRequired, "field is immutable (was 4) and cannot be removed; set it back to 4"),
				w("spec.ipVersion", field.ErrorTypeRequired, "derives it from spec.subnet"),
			}},
		{name: "spec changed while terminating", old: with(old, deleting), new: with(old, deleting, func(p pool) {
			p.Spec.IPs = []string{"10.6.0.10-10.6.0.25"}
		}), cfg: allOn, want: []want{w("spec", field.ErrorTypeForbidden, "being deleted")}},
		{name: "finalizer removed while terminating", old: with(old, deleting, func(p pool) {
			p.Finalizers = []string{spiderpoolv2beta1.SpiderFinalizer}
		}), new: with(old, deleting), cfg: allOn},
		{name: "unchanged spec with a family now disabled", old: old, new: with(old, func(p pool) { p.Labels = map[string]string{"x": "y"} })},
		{name: "nil and empty lists are the same spec", old: old, new: with(old, func(p pool) { p.Spec.ExcludeIPs = []string{} })},
		{name: "auto pool's podAffinity edited", old: autoOld, new: with(autoOld, func(p pool) {
			p.Spec.PodAffinity.MatchLabels[spiderpoolv2beta1.AppLabelName] = "other"
		}), cfg: allOn, want: []want{w("spec.podAffinity", field.ErrorTypeForbidden,
			`SpiderIPPool "auto4-web" is auto-created for Deployment default/web`, "leave it as it was")}},
		{name: "auto pool's podAffinity removed", old: autoOld, new: with(autoOld, func(p pool) { p.Spec.PodAffinity = nil }),
			cfg: allOn, want: []want{w("spec.podAffinity", field.ErrorTypeForbidden, "spiderpool-controller sets its podAffinity")}},
		{name: "auto pool grown by the controller", old: autoOld, new: with(autoOld, func(p pool) {
			p.Spec.IPs = []string{"10.6.0.10-10.6.0.30"}
		}), cfg: allOn},
		{name: "manual pool's podAffinity edited", old: with(old, func(p pool) {
			p.Spec.PodAffinity = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "a"}}
		}), new: with(old, func(p pool) {
			p.Spec.PodAffinity = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "b"}}
		}), cfg: allOn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrs(t, ValidateIPPoolUpdate(tt.old, tt.new, IPPoolEnv{Config: tt.cfg}), tt.want...)
		})
	}
}

func TestIPPoolDelete(t *testing.T) {
	allocated := pool4("p")
	allocated.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(spiderpoolv2beta1.PoolIPAllocations{
		"10.6.0.12": spiderpoolv2beta1.NewPoolIPAllocation("default", "web-1", "u1"),
	})
	allocated.Status.AllocatedIPCount = ptrTo[int64](1)
	tests := []struct {
		name string
		pool pool
		want string // "" for no error
	}{
		{name: "empty", pool: pool4("p")},
		{name: "count zero", pool: with(pool4("p"), func(p pool) { p.Status.AllocatedIPCount = ptrTo[int64](0) })},
		{name: "allocated", pool: allocated,
			want: "cannot delete: 1 IPs are still allocated: 10.6.0.12 (pod default/web-1); delete those pods first, or set enableValidatingResourcesDeletedWebhook: false"},
		{name: "count ahead of the list", pool: with(pool4("p"), func(p pool) { p.Status.AllocatedIPCount = ptrTo[int64](2) }),
			want: "status.allocatedIPCount is 2"},
		{name: "unreadable status", pool: with(pool4("p"), func(p pool) { p.Status.AllocatedIPs = ptrTo("{") }),
			want: "cannot tell whether IPs are still allocated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateIPPoolDelete(tt.pool)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidateIPPoolDelete: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ValidateIPPoolDelete = %v, want ErrInUse with %q", err, tt.want)
			}
		})
	}
}
