// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator_test

import (
	"errors"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

func TestParseCIDR(t *testing.T) {
	tests := []struct {
		name    string
		v       allocator.IPVersion
		in      string
		wantErr error
		wantMsg string
	}{
		{name: "v4", v: allocator.IPv4, in: "10.6.0.0/16"},
		{name: "v4 host route", v: allocator.IPv4, in: "10.6.0.1/32"},
		{name: "v6", v: allocator.IPv6, in: "fd00::/64"},
		{name: "v6 /48", v: allocator.IPv6, in: "fd00:1:2::/48"},
		{name: "host bits", v: allocator.IPv4, in: "10.6.0.1/16", wantErr: allocator.ErrUnformattedCIDR,
			wantMsg: "unformatted subnet 10.6.0.1/16, please change it to 10.6.0.0/16"},
		{name: "v6 long form", v: allocator.IPv6, in: "fd00:0::/64", wantErr: allocator.ErrUnformattedCIDR,
			wantMsg: "unformatted subnet fd00:0::/64, please change it to fd00::/64"},
		{name: "v6 upper case", v: allocator.IPv6, in: "FD00::/64", wantErr: allocator.ErrUnformattedCIDR,
			wantMsg: "unformatted subnet FD00::/64, please change it to fd00::/64"},
		{name: "mapped v4", v: allocator.IPv4, in: "::ffff:10.6.0.0/112", wantErr: allocator.ErrUnformattedCIDR,
			wantMsg: "unformatted subnet ::ffff:10.6.0.0/112, please change it to 10.6.0.0/16"},
		{name: "no length", v: allocator.IPv4, in: "10.6.0.0", wantErr: allocator.ErrInvalidCIDR},
		{name: "garbage", v: allocator.IPv4, in: "subnet", wantErr: allocator.ErrInvalidCIDR},
		{name: "too long", v: allocator.IPv4, in: "10.6.0.0/33", wantErr: allocator.ErrInvalidCIDR},
		{name: "wrong family", v: allocator.IPv4, in: "fd00::/64", wantErr: allocator.ErrFamilyMismatch},
		{name: "bad version", v: 5, in: "10.6.0.0/16", wantErr: allocator.ErrInvalidVersion},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := allocator.ParseCIDR(tc.v, tc.in)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr != nil) != (err != nil) {
				t.Fatalf("ParseCIDR(%q) error = %v, want %v", tc.in, err, tc.wantErr)
			}
			if tc.wantMsg != "" && err.Error() != tc.wantMsg {
				t.Errorf("message = %q, want %q", err, tc.wantMsg)
			}
			if err == nil && p.String() != tc.in {
				t.Errorf("prefix = %s, want %s", p, tc.in)
			}
		})
	}
}

func TestCIDRToLabelValue(t *testing.T) {
	tests := map[string]string{
		"10.6.0.0/16":    "10-6-0-0-16",
		"fd00::/64":      "fd00---64",
		"fd00:1:2::/120": "fd00-1-2---120",
		"":               "",
	}
	for in, want := range tests {
		if got := allocator.CIDRToLabelValue(in); got != want {
			t.Errorf("CIDRToLabelValue(%q) = %q, want %q", in, got, want)
		}
	}
}
