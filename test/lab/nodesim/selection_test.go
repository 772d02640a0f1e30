// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseNetworkSelections(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    []networkSelection
		wantErr bool
	}{
		{name: "empty", value: "  "},
		{name: "bare name", value: "macvlan",
			want: []networkSelection{{Name: "macvlan", Namespace: "pods"}}},
		{name: "comma form", value: "kube-system/mv1@eth1, mv2 ,other/mv3",
			want: []networkSelection{
				{Name: "mv1", Namespace: "kube-system", Interface: "eth1"},
				{Name: "mv2", Namespace: "pods"},
				{Name: "mv3", Namespace: "other"},
			}},
		{name: "json", value: `[{"name":"mv1","interface":"net7"},{"name":"mv2","namespace":"ns2"}]`,
			want: []networkSelection{
				{Name: "mv1", Namespace: "pods", Interface: "net7"},
				{Name: "mv2", Namespace: "ns2"},
			}},
		{name: "json ignores other keys", value: `[{"name":"mv1","ips":["10.0.0.1/24"]}]`,
			want: []networkSelection{{Name: "mv1", Namespace: "pods"}}},
		{name: "broken json", value: `[{"name":`, wantErr: true},
		{name: "json without name", value: `[{"namespace":"x"}]`, wantErr: true},
		{name: "empty item", value: "mv1,,mv2", wantErr: true},
		{name: "bad name", value: "MV_1", wantErr: true},
		{name: "bad namespace", value: "a.b/mv1", wantErr: true},
		{name: "interface too long", value: "mv1@abcdefghijklmnop", wantErr: true},
		{name: "interface with slash", value: `[{"name":"mv1","interface":"a/b"}]`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseNetworkSelections(tt.value, "pods")
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidNetworkSelection) {
					t.Fatalf("error = %v, want ErrInvalidNetworkSelection", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseNetworkSelections(f *testing.F) {
	for _, s := range []string{"mv1", "ns/mv1@net1,mv2", `[{"name":"a","namespace":"b","interface":"c"}]`, "[", "@", "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		sels, err := parseNetworkSelections(value, "pods")
		if err != nil {
			return
		}
		for _, s := range sels {
			if s.Name == "" || s.Namespace == "" || s.validate() != nil {
				t.Fatalf("accepted invalid selection %+v from %q", s, value)
			}
		}
	})
}
