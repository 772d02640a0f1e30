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

type subnet = *spiderpoolv2beta1.SpiderSubnet

func subnetCIDR(cidr string) func(subnet) {
	return func(s subnet) { s.Spec.Subnet = cidr }
}

func subnets(ss ...subnet) []spiderpoolv2beta1.SpiderSubnet {
	out := make([]spiderpoolv2beta1.SpiderSubnet, len(ss))
	for i, s := range ss {
		out[i] = *s
	}
	return out
}

func TestSubnet(t *testing.T) {
	s1 := subnet4("s1", "10.6.0.1-10.6.0.100")
	tests := []struct {
		name    string
		subnet  subnet
		subnets []spiderpoolv2beta1.SpiderSubnet
		pools   []spiderpoolv2beta1.SpiderIPPool
		want    []want
	}{
		{name: "valid", subnet: s1},
		{name: "shared spec rules", subnet: with(s1, func(s subnet) {
			s.Spec.Subnet, s.Spec.Gateway = "10.6.0.1/16", ptrTo("10.6.0.1")
		}), want: []want{w("spec.subnet", field.ErrorTypeInvalid, "please change it to 10.6.0.0/16")}},
		{name: "gateway handed out", subnet: with(s1, func(s subnet) { s.Spec.Gateway = ptrTo("10.6.0.1") }),
			want: []want{w("spec.gateway", field.ErrorTypeInvalid, "inside spec.ips[0]")}},
		{name: "same CIDR as another subnet", subnet: s1, subnets: subnets(subnet4("s2")),
			want: []want{w("spec.subnet", field.ErrorTypeInvalid, `overlaps SpiderSubnet "s2" (10.6.0.0/16)`, "must not overlap")}},
		{name: "inside another subnet", subnet: with(s1, subnetCIDR("10.6.1.0/24"), func(s subnet) { s.Spec.IPs = nil }),
			subnets: subnets(subnet4("s2")), want: []want{w("spec.subnet", field.ErrorTypeInvalid, `SpiderSubnet "s2"`)}},
		{name: "itself ignored", subnet: s1, subnets: subnets(subnet4("s1"))},
		{name: "disjoint subnets", subnet: s1, subnets: subnets(with(subnet4("s2"), subnetCIDR("10.7.0.0/16")))},
		{name: "orphan pool inside", subnet: s1, pools: pools(pool4("p", "10.6.0.10-10.6.0.20"))},
		{name: "orphan pool outside the ips", subnet: s1, pools: pools(pool4("p", "10.6.0.90-10.6.0.120")),
			want: []want{w("spec.ips", field.ErrorTypeInvalid, `does not offer 10.6.0.101-10.6.0.120 of SpiderIPPool "p"`)}},
		{name: "orphan pool with overlapping CIDR", subnet: s1, pools: pools(with(pool4("p"), withSubnet("10.6.0.0/24"))),
			want: []want{w("spec.subnet", field.ErrorTypeInvalid, `overlaps the subnet of SpiderIPPool "p" (10.6.0.0/24) without being equal`)}},
		{name: "unrelated pools", subnet: s1, pools: pools(with(pool4("p", "10.7.0.1"), withSubnet("10.7.0.0/16")), pool6("p6"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := SubnetEnv{Config: allOn, Subnets: tt.subnets, Pools: tt.pools}
			checkErrs(t, ValidateSubnet(tt.subnet, env), tt.want...)
		})
	}
}

func TestSubnetUpdate(t *testing.T) {
	old := subnet4("s1", "10.6.0.1-10.6.0.100")
	old.Status.ControlledIPPools = spiderpoolv2beta1.FormatControlledIPPools(spiderpoolv2beta1.PoolIPPreAllocations{
		"auto4-nginx": {IPs: []string{"10.6.0.10-10.6.0.12"}},
		"manual":      {IPs: []string{"10.6.0.50-10.6.0.60"}},
	})
	tests := []struct {
		name     string
		old, new subnet
		subnets  []spiderpoolv2beta1.SpiderSubnet
		want     []want
	}{
		{name: "grow", old: old, new: subnet4("s1", "10.6.0.1-10.6.0.200")},
		{name: "shrink around pools", old: old, new: subnet4("s1", "10.6.0.10-10.6.0.12", "10.6.0.50-10.6.0.60")},
		{name: "take pre-allocated IPs", old: old, new: subnet4("s1", "10.6.0.11-10.6.0.55"),
			want: []want{w("spec.ips", field.ErrorTypeForbidden,
				`takes away 10.6.0.10 of SpiderIPPool "auto4-nginx", 10.6.0.56-10.6.0.60 of SpiderIPPool "manual"`, "shrink or delete those pools")}},
		{name: "exclude pre-allocated IPs", old: old, new: with(old, func(s subnet) { s.Spec.ExcludeIPs = []string{"10.6.0.11"} }),
			want: []want{w("spec.ips", field.ErrorTypeForbidden, `10.6.0.11 of SpiderIPPool "auto4-nginx"`)}},
		{name: "overlap checked on update", old: old, new: subnet4("s1", "10.6.0.1-10.6.0.101"), subnets: subnets(subnet4("s2")),
			want: []want{w("spec.subnet", field.ErrorTypeInvalid, `SpiderSubnet "s2"`)}},
		{name: "immutable", old: old, new: with(old, subnetCIDR("10.6.0.0/24")),
			want: []want{w("spec.subnet", field.ErrorTypeInvalid,
				`spec.subnet: Invalid value: "10.6.0.0/24": field is immutable (was "10.6.0.0/16"); set it back, or create a new SpiderSubnet instead`)}},
		{name: "terminating", old: old, new: with(old, func(s subnet) {
			s.DeletionTimestamp = &metav1.Time{}
			s.Spec.Gateway = ptrTo("10.6.1.1")
		}), want: []want{w("spec", field.ErrorTypeForbidden, "SpiderSubnet is being deleted")}},
		{name: "labels only", old: old, new: with(old, func(s subnet) { s.Labels = map[string]string{"a": "b"} })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.new.Status = old.Status
			checkErrs(t, ValidateSubnetUpdate(tt.old, tt.new, SubnetEnv{Config: allOn, Subnets: tt.subnets}), tt.want...)
		})
	}
}

func TestSubnetDelete(t *testing.T) {
	used := subnet4("s1", "10.6.0.1-10.6.0.100")
	used.Status.ControlledIPPools = spiderpoolv2beta1.FormatControlledIPPools(spiderpoolv2beta1.PoolIPPreAllocations{
		"a": {IPs: []string{"10.6.0.10-10.6.0.12"}}, "b": {IPs: []string{"10.6.0.20"}}, "c": {IPs: []string{"10.6.0.30"}},
		"d": {IPs: []string{"10.6.0.40"}}, "empty": {IPs: []string{}},
	})
	used.Status.AllocatedIPCount = ptrTo[int64](6)
	tests := []struct {
		name   string
		subnet subnet
		want   string
	}{
		{name: "empty", subnet: subnet4("s1")},
		{name: "pools with IPs", subnet: used,
			want: `6 IPs are pre-allocated to SpiderIPPool "a", SpiderIPPool "b", SpiderIPPool "c" and 1 more; delete those pools first`},
		{name: "record without count", subnet: with(used, func(s subnet) { s.Status.AllocatedIPCount = nil }),
			want: "6 IPs are pre-allocated"},
		{name: "count without record", subnet: with(subnet4("s1"), func(s subnet) { s.Status.AllocatedIPCount = ptrTo[int64](3) }),
			want: "status.allocatedIPCount is 3"},
		{name: "only empty records", subnet: with(subnet4("s1"), func(s subnet) {
			s.Status.ControlledIPPools = spiderpoolv2beta1.FormatControlledIPPools(spiderpoolv2beta1.PoolIPPreAllocations{"x": {}})
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateSubnetDelete(tt.subnet)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidateSubnetDelete: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ValidateSubnetDelete = %v, want ErrInUse with %q", err, tt.want)
			}
		})
	}
}
