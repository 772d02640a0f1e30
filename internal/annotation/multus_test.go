// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMultusNetworks(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []NetworkSelection
	}{
		{"comma list", "kube-system/macvlan@net1, other ,ns2/sriov",
			[]NetworkSelection{
				{Namespace: "kube-system", Name: "macvlan", Interface: "net1"},
				{Name: "other"},
				{Namespace: "ns2", Name: "sriov"},
			}},
		{"name with interface", "macvlan@eth1", []NetworkSelection{{Name: "macvlan", Interface: "eth1"}}},
		{"empty namespace and interface mean the defaults, as in Multus", "/macvlan@",
			[]NetworkSelection{{Name: "macvlan"}}},
		{"JSON list", `[{"name":"macvlan","namespace":"kube-system","interface":"net1","ips":["10.0.0.5/24"]},
			{"name":"Other.Conf"}]`,
			[]NetworkSelection{{Namespace: "kube-system", Name: "macvlan", Interface: "net1"}, {Name: "Other.Conf"}}},
		{"empty means none", "", nil},
		{"blank means none", "  ", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMultusNetworks(tc.in)
			if err != nil {
				t.Fatalf("ParseMultusNetworks() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseMultusNetworks() mismatch (-want +got):\n%s", diff)
			}
		})
	}
	runInvalid(t, KeyMultusNetworks, ParseMultusNetworks, []invalidCase{
		{"upper case", "MacVlan", []string{`item 0 "MacVlan": name "MacVlan" has 'M'`, "comma list such as"}},
		{"empty item", "a,,b", []string{`item 1 "": name "" is empty`}},
		{"trailing comma", "a,", []string{`item 1 "": name "" is empty`}},
		{"two slashes", "ns/a/b", []string{`name "a/b" has '/'`}},
		{"two ats", "a@b@c", []string{`interface "b@c" has '@'`}},
		{"dash at end", "ns-/a", []string{`namespace "ns-" must start and end`}},
		{"bad JSON", `[{"name":"a"}`, []string{"invalid JSON", "a JSON list such as"}},
		{"JSON object", `{"name":"a"}`, []string{"JSON object but must be an array"}},
		{"JSON item without name", `[{"name":"a"},{"namespace":"ns"}]`, []string{`item 1 has no "name"`}},
	})
}

func TestParseMultusDefaultNetwork(t *testing.T) {
	tests := []struct {
		in   string
		want NetworkSelection
	}{
		{"calico", NetworkSelection{Name: "calico"}},
		{"kube-system/calico", NetworkSelection{Namespace: "kube-system", Name: "calico"}},
		{`[{"name":"calico","namespace":"kube-system"}]`, NetworkSelection{Namespace: "kube-system", Name: "calico"}},
	}
	for _, tc := range tests {
		got, err := ParseMultusDefaultNetwork(tc.in)
		if err != nil {
			t.Fatalf("ParseMultusDefaultNetwork(%q) error = %v", tc.in, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseMultusDefaultNetwork(%q) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
	runInvalid(t, KeyMultusDefaultNetwork, ParseMultusDefaultNetwork, []invalidCase{
		{"empty", "", []string{"names 0 networks", `"namespace/name"`}},
		{"two", "a,b", []string{"names 2 networks"}},
		{"bad", "A", []string{`name "A" has 'A'`}},
	})
}
