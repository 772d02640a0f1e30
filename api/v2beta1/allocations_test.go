// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

func ptr(s string) *string { return &s }

func TestParseAllocatedIPs(t *testing.T) {
	tests := []struct {
		name    string
		in      *string
		want    spiderpoolv2beta1.PoolIPAllocations
		wantErr bool
	}{
		{name: "nil", in: nil, want: spiderpoolv2beta1.PoolIPAllocations{}},
		{name: "empty string", in: ptr(""), want: spiderpoolv2beta1.PoolIPAllocations{}},
		{name: "json null", in: ptr("null"), want: spiderpoolv2beta1.PoolIPAllocations{}},
		{name: "empty object", in: ptr("{}"), want: spiderpoolv2beta1.PoolIPAllocations{}},
		{
			name: "spiderpool v1.0 value",
			in:   ptr(`{"10.6.0.10":{"pod":"default/nginx-5d9f-x","podUid":"7c1e0000-0000-0000-0000-000000000000"},"fd00::10":{"pod":"kube-system/dns","podUid":"u2"}}`),
			want: spiderpoolv2beta1.PoolIPAllocations{
				"10.6.0.10": {NamespacedName: "default/nginx-5d9f-x", PodUID: "7c1e0000-0000-0000-0000-000000000000"},
				"fd00::10":  {NamespacedName: "kube-system/dns", PodUID: "u2"},
			},
		},
		{
			name: "unknown record keys are ignored",
			in:   ptr(`{"10.6.0.10":{"pod":"a/b","podUid":"u","extra":1}}`),
			want: spiderpoolv2beta1.PoolIPAllocations{"10.6.0.10": {NamespacedName: "a/b", PodUID: "u"}},
		},
		{name: "not json", in: ptr("10.6.0.10"), wantErr: true},
		{name: "wrong shape", in: ptr(`["10.6.0.10"]`), wantErr: true},
		{name: "truncated", in: ptr(`{"10.6.0.10":{"pod":"a/b"`), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := spiderpoolv2beta1.ParseAllocatedIPs(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseAllocatedIPs() error = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseAllocatedIPs() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormatAllocatedIPs(t *testing.T) {
	tests := []struct {
		name string
		in   spiderpoolv2beta1.PoolIPAllocations
		want *string
	}{
		{name: "nil map is left out", in: nil, want: nil},
		{name: "empty map is left out", in: spiderpoolv2beta1.PoolIPAllocations{}, want: nil},
		{
			name: "keys sorted, spiderpool field names",
			in: spiderpoolv2beta1.PoolIPAllocations{
				"10.6.0.11": spiderpoolv2beta1.NewPoolIPAllocation("ns", "b", "u2"),
				"10.6.0.10": spiderpoolv2beta1.NewPoolIPAllocation("ns", "a", "u1"),
			},
			want: ptr(`{"10.6.0.10":{"pod":"ns/a","podUid":"u1"},"10.6.0.11":{"pod":"ns/b","podUid":"u2"}}`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, spiderpoolv2beta1.FormatAllocatedIPs(tt.in)); diff != "" {
				t.Errorf("FormatAllocatedIPs() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPoolIPAllocationNamespaceName(t *testing.T) {
	tests := []struct {
		in            string
		wantNamespace string
		wantName      string
	}{
		{in: "default/nginx", wantNamespace: "default", wantName: "nginx"},
		{in: "nginx", wantNamespace: "", wantName: "nginx"},
		{in: "", wantNamespace: "", wantName: ""},
		{in: "a/b/c", wantNamespace: "a", wantName: "b/c"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a := spiderpoolv2beta1.PoolIPAllocation{NamespacedName: tt.in}
			if got := a.Namespace(); got != tt.wantNamespace {
				t.Errorf("Namespace() = %q, want %q", got, tt.wantNamespace)
			}
			if got := a.Name(); got != tt.wantName {
				t.Errorf("Name() = %q, want %q", got, tt.wantName)
			}
		})
	}
}

// FuzzParseAllocatedIPs checks that the parser never panics and that every
// value it accepts survives a format/parse round trip unchanged.
func FuzzParseAllocatedIPs(f *testing.F) {
	f.Add(``)
	f.Add(`null`)
	f.Add(`{}`)
	f.Add(`{"10.6.0.10":{"pod":"default/nginx","podUid":"u1"}}`)
	f.Add(`{"fd00::1":{"pod":"a/b","podUid":"u","x":[1,2]}}`)
	f.Add(`{"10.6.0.10":null}`)
	f.Add(`[1]`)
	f.Fuzz(func(t *testing.T, s string) {
		first, err := spiderpoolv2beta1.ParseAllocatedIPs(&s)
		if err != nil {
			return
		}
		again, err := spiderpoolv2beta1.ParseAllocatedIPs(spiderpoolv2beta1.FormatAllocatedIPs(first))
		if err != nil {
			t.Fatalf("parse of formatted value failed: %v", err)
		}
		if diff := cmp.Diff(first, again); diff != "" {
			t.Errorf("round trip mismatch (-first +again):\n%s", diff)
		}
	})
}
