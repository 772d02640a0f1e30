// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// netipEqual lets cmp compare netip values.
var netipEqual = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})

func TestParseRoutes(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Route
	}{{
		name: "both families",
		in:   `[{"dst":"10.0.0.0/16","gw":"192.168.1.1"},{"dst":"fd00:10::/64","gw":"fd00::1"}]`,
		want: []Route{
			{Dst: netip.MustParsePrefix("10.0.0.0/16"), GW: netip.MustParseAddr("192.168.1.1")},
			{Dst: netip.MustParsePrefix("fd00:10::/64"), GW: netip.MustParseAddr("fd00::1")},
		},
	}, {
		name: "host bits are cleared",
		in:   `[{"dst":"10.1.2.3/8","gw":"10.0.0.1"}]`,
		want: []Route{{Dst: netip.MustParsePrefix("10.0.0.0/8"), GW: netip.MustParseAddr("10.0.0.1")}},
	}, {
		name: "empty list",
		in:   `[]`,
		want: []Route{},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRoutes(tc.in)
			if err != nil {
				t.Fatalf("ParseRoutes() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, got, netipEqual); diff != "" {
				t.Errorf("ParseRoutes() mismatch (-want +got):\n%s", diff)
			}
		})
	}
	runInvalid(t, KeyRoutes, ParseRoutes, []invalidCase{
		{"empty", "", []string{"value is empty", `[{"dst":"10.0.0.0/16","gw":"192.168.1.1"}]`}},
		{"object", `{"dst":"10.0.0.0/16","gw":"192.168.1.1"}`, []string{"must be an array"}},
		{"no gw", `[{"dst":"10.0.0.0/16"}]`, []string{`item 0 needs both "dst" and "gw"`}},
		{"no dst", `[{"dst":"10.0.0.0/16","gw":"10.0.0.1"},{"gw":"10.0.0.1"}]`, []string{`item 1 needs both`}},
		{"dst without prefix length", `[{"dst":"10.0.0.0","gw":"10.0.0.1"}]`,
			[]string{`item 0 "dst" "10.0.0.0" is not a CIDR`}},
		{"gw is a CIDR", `[{"dst":"10.0.0.0/8","gw":"10.0.0.1/8"}]`,
			[]string{`item 0 "gw" "10.0.0.1/8" is not an IP address`}},
		{"gw with zone", `[{"dst":"fd00::/8","gw":"fe80::1%eth0"}]`, []string{`"fe80::1%eth0" is not an IP address`}},
		{"mixed families", `[{"dst":"10.0.0.0/8","gw":"fd00::1"}]`, []string{"mixes IP families"}},
		{"dst as number", `[{"dst":1,"gw":"10.0.0.1"}]`, []string{`field "dst" is a JSON number but must be a string`}},
	})
}
