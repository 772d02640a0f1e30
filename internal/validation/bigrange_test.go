// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// bigPools returns a /8 pool and a /48 pool, each next to many pools of
// the same subnet holding small ranges, one of which the big pool
// overlaps. The checks run on ranges, so they cost the same as for a /24.
func bigPools(n int) (v4, v6 pool, others []spiderpoolv2beta1.SpiderIPPool) {
	v4 = with(pool4("big4", "10.0.0.0-10.255.255.255"), withSubnet("10.0.0.0/8"), func(p pool) {
		p.Spec.ExcludeIPs = []string{"10.0.0.0-10.0.255.255"}
	})
	v6 = with(pool6("big6", "fd00:1::-fd00:1:0:ffff:ffff:ffff:ffff:ffff"), withSubnet("fd00:1::/48"), func(p pool) {
		p.Spec.ExcludeIPs = []string{"fd00:1::-fd00:1::ffff:ffff"}
	})
	for i := range n {
		others = append(others,
			*with(pool4(fmt.Sprintf("small4-%d", i), fmt.Sprintf("10.0.%d.1-10.0.%d.9", i%256, i%256)), withSubnet("10.0.0.0/8")),
			*with(pool6(fmt.Sprintf("small6-%d", i), fmt.Sprintf("fd00:1::%x:1-fd00:1::%x:9", i+1, i+1)), withSubnet("fd00:1::/48")))
	}
	others = append(others,
		*with(pool4("clash4", "10.200.0.1"), withSubnet("10.0.0.0/8")),
		*with(pool6("clash6", "fd00:1:0:1::1"), withSubnet("fd00:1::/48")))
	return v4, v6, others
}

func TestBigRanges(t *testing.T) {
	v4, v6, others := bigPools(1000)
	env := IPPoolEnv{Config: allOn, Pools: others}
	checkErrs(t, ValidateIPPool(v4, env), w("spec.ips[0]", field.ErrorTypeInvalid, `SpiderIPPool "clash4" (10.200.0.1)`))
	checkErrs(t, ValidateIPPool(v6, env), w("spec.ips[0]", field.ErrorTypeInvalid, `SpiderIPPool "clash6" (fd00:1:0:1::1)`))

	// An update removing an allocated IP from a /48 is found without
	// walking the addresses.
	old := v6.DeepCopy()
	old.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(spiderpoolv2beta1.PoolIPAllocations{
		"fd00:1:0:ffff::1": spiderpoolv2beta1.NewPoolIPAllocation("default", "a", "u"),
	})
	shrunk := with(v6, func(p pool) { p.Spec.IPs = []string{"fd00:1::-fd00:1:0:fffe:ffff:ffff:ffff:ffff"} })
	checkErrs(t, ValidateIPPoolUpdate(old, shrunk, IPPoolEnv{Config: allOn}),
		w("spec.ips", field.ErrorTypeForbidden, "fd00:1:0:ffff::1 (pod default/a)"))
}

// BenchmarkValidateBigPool measures one create check of a /8 and a /48 pool
// against 2000 pools of the same subnets.
func BenchmarkValidateBigPool(b *testing.B) {
	v4, v6, others := bigPools(1000)
	env := IPPoolEnv{Config: allOn, Pools: others}
	b.ReportAllocs()
	for b.Loop() {
		ValidateIPPool(v4, env)
		ValidateIPPool(v6, env)
	}
}
