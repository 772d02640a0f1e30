// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

func TestParseControlledIPPools(t *testing.T) {
	tests := []struct {
		name    string
		in      *string
		want    spiderpoolv2beta1.PoolIPPreAllocations
		wantErr bool
	}{
		{name: "nil", in: nil, want: spiderpoolv2beta1.PoolIPPreAllocations{}},
		{name: "empty string", in: ptr(""), want: spiderpoolv2beta1.PoolIPPreAllocations{}},
		{name: "json null", in: ptr("null"), want: spiderpoolv2beta1.PoolIPPreAllocations{}},
		{
			name: "spiderpool v1.0 value",
			in:   ptr(`{"auto4-nginx-eth0-7f3a1":{"ips":["10.6.0.10-10.6.0.12"],"application":"apps_v1_Deployment_default_nginx"},"manual-pool":{"ips":["10.6.0.100-10.6.0.110"]}}`),
			want: spiderpoolv2beta1.PoolIPPreAllocations{
				"auto4-nginx-eth0-7f3a1": {IPs: []string{"10.6.0.10-10.6.0.12"}, Application: ptr("apps_v1_Deployment_default_nginx")},
				"manual-pool":            {IPs: []string{"10.6.0.100-10.6.0.110"}},
			},
		},
		{name: "not json", in: ptr("pool"), wantErr: true},
		{name: "ips not a list", in: ptr(`{"p":{"ips":"10.6.0.1"}}`), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := spiderpoolv2beta1.ParseControlledIPPools(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseControlledIPPools() error = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseControlledIPPools() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormatControlledIPPools(t *testing.T) {
	tests := []struct {
		name string
		in   spiderpoolv2beta1.PoolIPPreAllocations
		want *string
	}{
		{name: "empty map is left out", in: spiderpoolv2beta1.PoolIPPreAllocations{}, want: nil},
		{
			name: "application only when set",
			in: spiderpoolv2beta1.PoolIPPreAllocations{
				"manual": {IPs: []string{"10.6.0.100"}},
				"auto4":  {IPs: []string{"10.6.0.10-10.6.0.12"}, Application: ptr("v1_Pod_default_p")},
			},
			want: ptr(`{"auto4":{"ips":["10.6.0.10-10.6.0.12"],"application":"v1_Pod_default_p"},"manual":{"ips":["10.6.0.100"]}}`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, spiderpoolv2beta1.FormatControlledIPPools(tt.in)); diff != "" {
				t.Errorf("FormatControlledIPPools() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseControlledIPPools checks that the parser never panics and that
// every value it accepts survives a format/parse round trip unchanged.
func FuzzParseControlledIPPools(f *testing.F) {
	f.Add(``)
	f.Add(`{}`)
	f.Add(`{"p":{"ips":["10.6.0.1-10.6.0.9"],"application":"apps_v1_Deployment_ns_n"}}`)
	f.Add(`{"p":{"ips":null}}`)
	f.Add(`{"p":{"ips":[]}}`)
	f.Fuzz(func(t *testing.T, s string) {
		first, err := spiderpoolv2beta1.ParseControlledIPPools(&s)
		if err != nil {
			return
		}
		again, err := spiderpoolv2beta1.ParseControlledIPPools(spiderpoolv2beta1.FormatControlledIPPools(first))
		if err != nil {
			t.Fatalf("parse of formatted value failed: %v", err)
		}
		if diff := cmp.Diff(first, again); diff != "" {
			t.Errorf("round trip mismatch (-first +again):\n%s", diff)
		}
	})
}
