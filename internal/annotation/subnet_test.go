// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSubnet(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Subnet
	}{
		{"full", `{"interface":"net1","ipv4":["s4"],"ipv6":["s6"]}`,
			Subnet{Interface: "net1", IPv4: []string{"s4"}, IPv6: []string{"s6"}}},
		{"interface defaults to eth0", `{"ipv4":["s4"]}`, Subnet{Interface: "eth0", IPv4: []string{"s4"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSubnet(tc.in)
			if err != nil {
				t.Fatalf("ParseSubnet() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseSubnet() mismatch (-want +got):\n%s", diff)
			}
		})
	}
	runInvalid(t, KeySubnet, ParseSubnet, []invalidCase{
		{"empty", "", []string{"value is empty", `"ipv4":["subnet-v4"]`}},
		{"no subnet", `{"interface":"eth0"}`, []string{`names no subnet in "ipv4" or "ipv6"`}},
		{"empty name", `{"ipv4":[""]}`, []string{`"ipv4"[0] is empty`}},
		{"wildcard", `{"ipv4":["s-*"]}`, []string{`"ipv4"[0] "s-*" has wildcard characters`}},
		{"bad interface", `{"interface":"a/b","ipv4":["s"]}`, []string{`"interface" "a/b"`}},
	})
}

func TestParseSubnets(t *testing.T) {
	got, err := ParseSubnets(`[{"interface":"eth0","ipv4":["s1"]},{"interface":"net1","ipv4":["s2"],"ipv6":["s2-6"]}]`)
	if err != nil {
		t.Fatalf("ParseSubnets() error = %v", err)
	}
	want := []Subnet{
		{Interface: "eth0", IPv4: []string{"s1"}},
		{Interface: "net1", IPv4: []string{"s2"}, IPv6: []string{"s2-6"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseSubnets() mismatch (-want +got):\n%s", diff)
	}
	runInvalid(t, KeySubnets, ParseSubnets, []invalidCase{
		{"empty", "", []string{"value is empty"}},
		{"no items", `[]`, []string{"lists no item"}},
		{"item without subnet", `[{"interface":"eth0","ipv4":["s1"]},{"interface":"net1"}]`,
			[]string{`item 1 names no subnet`}},
		{"duplicate interface", `[{"interface":"net1","ipv4":["s1"]},{"interface":"net1","ipv4":["s2"]}]`,
			[]string{`items 0 and 1 both use interface "net1"`}},
		{"two default interfaces", `[{"ipv4":["s1"]},{"ipv4":["s2"]}]`,
			[]string{`items 0 and 1 both use interface "eth0"`, "without \"interface\" means eth0"}},
		{"shared subnet", `[{"interface":"eth0","ipv4":["s1"]},{"interface":"net1","ipv6":["x"],"ipv4":["s1"]}]`,
			[]string{`subnet "s1" is used by items 0 and 1`}},
		{"bad name in item", `[{"interface":"eth0","ipv6":["a["]}]`, []string{`item 0 "ipv6"[0] "a["`}},
	})
}
