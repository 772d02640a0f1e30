// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"testing"

	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

func TestPoolCounts(t *testing.T) {
	records := spiderpoolv2beta1.FormatAllocatedIPs(spiderpoolv2beta1.PoolIPAllocations{
		"10.6.0.10": spiderpoolv2beta1.NewPoolIPAllocation("default", "a", "uid-a"),
		"10.6.0.11": spiderpoolv2beta1.NewPoolIPAllocation("default", "b", "uid-b"),
	})
	tests := []struct {
		name    string
		spec    spiderpoolv2beta1.IPPoolSpec
		records *string
		want    counts
		wantErr bool
	}{
		{name: "empty", spec: spiderpoolv2beta1.IPPoolSpec{Subnet: "10.6.0.0/16"}, want: counts{}},
		{name: "ranges minus exclusions", spec: spiderpoolv2beta1.IPPoolSpec{Subnet: "10.6.0.0/16",
			IPs: []string{"10.6.0.1-10.6.0.100", "10.6.1.1"}, ExcludeIPs: []string{"10.6.0.1-10.6.0.10", "10.6.9.9"}},
			records: records, want: counts{total: 91, allocated: 2}},
		{name: "overlapping ranges count once", spec: spiderpoolv2beta1.IPPoolSpec{Subnet: "10.6.0.0/16",
			IPs: []string{"10.6.0.1-10.6.0.10", "10.6.0.5-10.6.0.20"}}, want: counts{total: 20}},
		{name: "ipVersion from spec", spec: spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To[int64](6), Subnet: "fd00::/120",
			IPs: []string{"fd00::1-fd00::ff"}}, want: counts{total: 255}},
		{name: "huge IPv6 saturates", spec: spiderpoolv2beta1.IPPoolSpec{Subnet: "fd00::/48",
			IPs: []string{"fd00::-fd00:0:0:ffff:ffff:ffff:ffff:ffff"}}, want: counts{total: 1<<63 - 1}},
		{name: "empty records", spec: spiderpoolv2beta1.IPPoolSpec{Subnet: "10.6.0.0/16"}, records: ptr.To("{}"), want: counts{}},
		{name: "bad range", spec: spiderpoolv2beta1.IPPoolSpec{Subnet: "10.6.0.0/16", IPs: []string{"10.6.0.9-10.6.0.1"}}, wantErr: true},
		{name: "family mismatch", spec: spiderpoolv2beta1.IPPoolSpec{Subnet: "10.6.0.0/16", IPs: []string{"fd00::1"}}, wantErr: true},
		{name: "bad subnet", spec: spiderpoolv2beta1.IPPoolSpec{Subnet: "10.6.0.1/16"}, wantErr: true},
		{name: "bad ipVersion", spec: spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To[int64](5), Subnet: "10.6.0.0/16"}, wantErr: true},
		{name: "bad records", spec: spiderpoolv2beta1.IPPoolSpec{Subnet: "10.6.0.0/16"}, records: ptr.To("{"), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := &spiderpoolv2beta1.SpiderIPPool{Spec: tt.spec, Status: spiderpoolv2beta1.IPPoolStatus{AllocatedIPs: tt.records}}
			got, err := poolCounts(pool)
			if (err != nil) != tt.wantErr {
				t.Fatalf("poolCounts() error = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("poolCounts() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSubnetCounts(t *testing.T) {
	controlled := spiderpoolv2beta1.FormatControlledIPPools(spiderpoolv2beta1.PoolIPPreAllocations{
		"a": {IPs: []string{"10.6.0.1-10.6.0.5"}},
		"b": {IPs: []string{"10.6.0.10", "10.6.0.11"}},
	})
	subnet := &spiderpoolv2beta1.SpiderSubnet{
		Spec:   spiderpoolv2beta1.SubnetSpec{Subnet: "10.6.0.0/24", IPs: []string{"10.6.0.1-10.6.0.254"}, ExcludeIPs: []string{"10.6.0.254"}},
		Status: spiderpoolv2beta1.SubnetStatus{ControlledIPPools: controlled},
	}
	got, err := subnetCounts(subnet)
	if err != nil {
		t.Fatal(err)
	}
	if want := (counts{total: 253, allocated: 7}); got != want {
		t.Errorf("subnetCounts() = %+v, want %+v", got, want)
	}
	subnet.Status.ControlledIPPools = ptr.To(`{"a":{"ips":["fd00::1"]}}`)
	if _, err := subnetCounts(subnet); err == nil {
		t.Error("subnetCounts() accepted an IPv6 pool in an IPv4 subnet")
	}
}

func TestCountsMatches(t *testing.T) {
	c := counts{total: 3, allocated: 1}
	tests := []struct {
		total, allocated *int64
		want             bool
	}{
		{ptr.To[int64](3), ptr.To[int64](1), true},
		{nil, ptr.To[int64](1), false},
		{ptr.To[int64](3), nil, false}, // allocatedIPCount is initialised to 0
		{ptr.To[int64](3), ptr.To[int64](2), false},
	}
	for i, tt := range tests {
		if got := c.matches(tt.total, tt.allocated); got != tt.want {
			t.Errorf("case %d: matches() = %v, want %v", i, got, tt.want)
		}
	}
}
