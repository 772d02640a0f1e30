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
		{name: "json ips and mac", value: `[{"name":"mv1","ips":["10.0.0.1/24","fd00::1"],"mac":"02:00:00:00:00:01","other":1}]`,
			want: []networkSelection{{Name: "mv1", Namespace: "pods", IPs: []string{"10.0.0.1/24", "fd00::1"}, MAC: "02:00:00:00:00:01"}}},
		{name: "bad ip", value: `[{"name":"mv1","ips":["10.0.0.300"]}]`, wantErr: true},
		{name: "bad mac", value: `[{"name":"mv1","mac":"02:00"}]`, wantErr: true},
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
	for _, s := range []string{"mv1", "ns/mv1@net1,mv2", `[{"name":"a","namespace":"b","interface":"c","ips":["10.0.0.1/24"],"mac":"02:00:00:00:00:01"}]`, "[", "@", "/"} {
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

// TestRuntimeConfPassesAddresses checks what the plugins get for a
// selection with ips and mac: CNI_ARGS IP and MAC, and the capabilities.
func TestRuntimeConfPassesAddresses(t *testing.T) {
	sb := &sandbox{ID: "c1", NetNS: "/run/netns/x", Pod: podRef{Namespace: "pods", Name: "p", UID: "u"}}
	plain := runtimeConf(sb, network{IfName: "net1"})
	if plain.CapabilityArgs != nil || len(plain.Args) != 5 {
		t.Errorf("plain selection: args %v, capabilities %v", plain.Args, plain.CapabilityArgs)
	}
	rc := runtimeConf(sb, network{IfName: "net1", IPs: []string{"10.0.0.5/24", "fd00::5/64"}, MAC: "02:00:00:00:00:05"})
	if rc.IfName != "net1" {
		t.Errorf("ifName %q", rc.IfName)
	}
	wantArgs := [][2]string{{"IP", "10.0.0.5/24,fd00::5/64"}, {"MAC", "02:00:00:00:00:05"}}
	if diff := cmp.Diff(wantArgs, rc.Args[5:]); diff != "" {
		t.Errorf("CNI_ARGS (-want +got):\n%s", diff)
	}
	wantCaps := map[string]any{"ips": []string{"10.0.0.5/24", "fd00::5/64"}, "mac": "02:00:00:00:00:05"}
	if diff := cmp.Diff(wantCaps, rc.CapabilityArgs); diff != "" {
		t.Errorf("capabilities (-want +got):\n%s", diff)
	}
}
