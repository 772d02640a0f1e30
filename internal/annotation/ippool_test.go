// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseIPPool(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want IPPool
	}{
		{"dual stack", `{"ipv4":["pool-a","pool-b"],"ipv6":["pool6"]}`,
			IPPool{IPv4: []string{"pool-a", "pool-b"}, IPv6: []string{"pool6"}}},
		{"IPv6 only with wildcard", `{"ipv6":["v6-*"]}`, IPPool{IPv6: []string{"v6-*"}}},
		{"unknown fields ignored as in Spiderpool", `{"ipv4":["a"],"note":"x"}`, IPPool{IPv4: []string{"a"}}},
		{"field names are case-insensitive as in encoding/json", `{"IPv4":["a"]}`, IPPool{IPv4: []string{"a"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseIPPool(tc.in)
			if err != nil {
				t.Fatalf("ParseIPPool() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseIPPool() mismatch (-want +got):\n%s", diff)
			}
		})
	}
	runInvalid(t, KeyIPPool, ParseIPPool, []invalidCase{
		{"empty", "", []string{"value is empty", `{"ipv4":["pool-v4"]`}},
		{"syntax", `{"ipv4":["a"]`, []string{"invalid JSON", "expected {"}},
		{"list instead of object", `["a"]`, []string{"JSON array but must be an object"}},
		{"string instead of list", `{"ipv4":"a"}`, []string{`field "ipv4" is a JSON string but must be an array`}},
		{"no pools", `{}`, []string{"names no pool"}},
		{"empty lists", `{"ipv4":[],"ipv6":[]}`, []string{"names no pool"}},
		{"empty name", `{"ipv4":["a",""]}`, []string{`"ipv4"[1] is empty`}},
		{"bad wildcard", `{"ipv6":["v6-["]}`, []string{`"ipv6"[0] "v6-["`, "wildcard"}},
		{"duplicate", `{"ipv4":["a","b","a"]}`, []string{`"ipv4" lists "a" twice`}},
	})
}

func TestParseIPPools(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want IPPools
	}{{
		name: "named",
		in: `[{"interface":"eth0","ipv4":["a"],"ipv6":["a6"],"cleangateway":false},
			{"interface":"net1","ipv4":["b"],"cleangateway":true}]`,
		want: IPPools{
			{Interface: "eth0", IPv4: []string{"a"}, IPv6: []string{"a6"}},
			{Interface: "net1", IPv4: []string{"b"}, CleanGateway: true},
		},
	}, {
		name: "unnamed",
		in:   `[{"ipv4":["a"]},{"ipv6":["b6"],"cleanGateway":true}]`,
		want: IPPools{{IPv4: []string{"a"}}, {IPv6: []string{"b6"}, CleanGateway: true}},
	}, {
		name: "same pool on two NICs is allowed",
		in:   `[{"ipv4":["a"]},{"ipv4":["a"]}]`,
		want: IPPools{{IPv4: []string{"a"}}, {IPv4: []string{"a"}}},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseIPPools(tc.in)
			if err != nil {
				t.Fatalf("ParseIPPools() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseIPPools() mismatch (-want +got):\n%s", diff)
			}
		})
	}
	runInvalid(t, KeyIPPools, ParseIPPools, []invalidCase{
		{"empty", " ", []string{"value is empty", `"interface":"eth0"`}},
		{"object instead of list", `{"ipv4":["a"]}`, []string{"JSON object but must be an array"}},
		{"no items", `[]`, []string{"lists no item"}},
		{"null", `null`, []string{"lists no item"}},
		{"cleangateway as string", `[{"ipv4":["a"],"cleangateway":"true"}]`,
			[]string{`field "cleangateway" is a JSON string but must be true or false`}},
		{"later item unnamed", `[{"interface":"eth0","ipv4":["a"]},{"interface":"net1","ipv4":["b"]},{"ipv4":["c"]}]`,
			[]string{`item 2 has no "interface" but item 0 has; set "interface" on every item or on none`}},
		{"later item named", `[{"ipv4":["a"]},{"interface":"net1","ipv4":["b"]}]`,
			[]string{`item 1 has "interface" "net1" but item 0 has none`, "on every item or on none"}},
		{"duplicate interface", `[{"interface":"net1","ipv4":["a"]},{"interface":"net1","ipv4":["b"]}]`,
			[]string{`items 0 and 1 both use interface "net1"`, "unique"}},
		{"bad interface name", `[{"interface":"eth0 ","ipv4":["a"]}]`,
			[]string{`item 0 "interface" "eth0 "`, "white space"}},
		{"long interface name", `[{"interface":"a-very-long-nic-name","ipv4":["a"]}]`,
			[]string{"longer than 15 bytes"}},
		{"item without pools", `[{"interface":"eth0","ipv4":["a"]},{"interface":"net1"}]`,
			[]string{`item 1 names no pool in "ipv4" or "ipv6"`}},
		{"bad pool in item", `[{"ipv4":["a"]},{"ipv6":["x",""]}]`, []string{`item 1 "ipv6"[1] is empty`}},
	})
}

func TestIPPoolsForNIC(t *testing.T) {
	named := IPPools{
		{Interface: "eth0", IPv4: []string{"a"}},
		{Interface: "net1", IPv4: []string{"b"}, IPv6: []string{"b6"}, CleanGateway: true},
	}
	unnamed := IPPools{{IPv4: []string{"a"}}, {IPv6: []string{"b6"}, CleanGateway: true}, {IPv4: []string{"c"}}}
	tests := []struct {
		name  string
		pools IPPools
		nic   string
		want  NICRequest
	}{
		{"named eth0", named, "eth0", NICRequest{Index: 0, IPv4: []string{"a"}}},
		{"named net1", named, "net1", NICRequest{Index: 1, IPv4: []string{"b"}, IPv6: []string{"b6"}, CleanGateway: true}},
		{"unnamed eth0 is item 0", unnamed, "eth0", NICRequest{Index: 0, IPv4: []string{"a"}}},
		{"unnamed 0", unnamed, "0", NICRequest{Index: 0, IPv4: []string{"a"}}},
		{"unnamed net1 is item 1", unnamed, "net1", NICRequest{Index: 1, IPv6: []string{"b6"}, CleanGateway: true}},
		{"unnamed 2", unnamed, "2", NICRequest{Index: 2, IPv4: []string{"c"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.pools.ForNIC(tc.nic)
			if err != nil {
				t.Fatalf("ForNIC(%q) error = %v", tc.nic, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ForNIC(%q) mismatch (-want +got):\n%s", tc.nic, diff)
			}
		})
	}
	for _, tc := range []struct {
		name  string
		pools IPPools
		nic   string
		want  string
	}{
		{"named missing", named, "net2", `interface "net2" is not listed (listed: eth0, net1)`},
		{"named does not number", named, "0", `interface "0" is not listed`},
		{"unnamed out of range", unnamed, "net3", `"net3" matches none of the 3 items`},
		{"unnamed net0", unnamed, "net0", `"net0" matches none`},
		{"unnamed custom name", unnamed, "vf0", `"vf0" matches none`},
		{"unnamed non-canonical number", unnamed, "01", `"01" matches none`},
		{"unnamed negative", unnamed, "-1", `"-1" matches none`},
		{"empty list", nil, "eth0", `matches none of the 0 items`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.pools.ForNIC(tc.nic)
			assertError(t, err, KeyIPPools, tc.want)
		})
	}
}

// TestIPPoolsForPodNIC: unnamed items also serve the interfaces the pod's
// Multus networks name, by position; named items ignore them.
func TestIPPoolsForPodNIC(t *testing.T) {
	unnamed := IPPools{{IPv4: []string{"a"}}, {IPv4: []string{"b"}}, {IPv4: []string{"c"}}}
	named := IPPools{{Interface: "eth0"}, {Interface: "net1"}}
	nets := []NetworkSelection{{Name: "x", Interface: "vf0"}, {Name: "y"}, {Name: "z", Interface: "vf9"}}
	for _, tc := range []struct {
		name  string
		pools IPPools
		nic   string
		want  int
		err   string
	}{
		{"network 1's interface is item 1", unnamed, "vf0", 1, ""},
		{"net<i> still serves", unnamed, "net2", 2, ""},
		{"a network past the items", unnamed, "vf9", 0, `"vf9" matches none of the 3 items`},
		{"named items only by name", named, "vf0", 0, `interface "vf0" is not listed`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.pools.ForPodNIC(tc.nic, nets)
			if tc.err != "" {
				assertError(t, err, KeyIPPools, tc.err)
				return
			}
			if err != nil || got.Index != tc.want {
				t.Errorf("ForPodNIC(%q) = item %d, %v; want item %d", tc.nic, got.Index, err, tc.want)
			}
		})
	}
	var names []string
	for i := range 4 {
		names = append(names, UnnamedNICName(i, nets[:2]))
	}
	if diff := cmp.Diff([]string{"eth0", "vf0", "net2", "net3"}, names); diff != "" {
		t.Errorf("UnnamedNICName (-want +got):\n%s", diff)
	}
}

func TestIPPoolsForNICCopies(t *testing.T) {
	pools := IPPools{{IPv4: []string{"a"}}}
	got, err := pools.ForNIC("eth0")
	if err != nil {
		t.Fatalf("ForNIC() error = %v", err)
	}
	got.IPv4[0] = "changed"
	if pools[0].IPv4[0] != "a" {
		t.Errorf("ForNIC() result aliases the annotation: %q", pools[0].IPv4[0])
	}
}

func TestIPPoolsNICNames(t *testing.T) {
	tests := []struct {
		name  string
		pools IPPools
		want  []string
		named bool
	}{
		{"named", IPPools{{Interface: "net2"}, {Interface: "eth0"}}, []string{"net2", "eth0"}, true},
		{"unnamed: item 0 is eth0", IPPools{{}, {}, {}}, []string{"eth0", "1", "2"}, false},
		{"empty", IPPools{}, []string{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.pools.NICNames()); diff != "" {
				t.Errorf("NICNames() mismatch (-want +got):\n%s", diff)
			}
			if got := tc.pools.Named(); got != tc.named {
				t.Errorf("Named() = %v, want %v", got, tc.named)
			}
		})
	}
}
