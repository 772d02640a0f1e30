// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWithNodeSocket(t *testing.T) {
	in := `{"cniVersion":"1.0.0","name":"n","plugins":[
	  {"type":"macvlan","master":"eth1","ipam":{"type":"spiderpool"}},
	  {"type":"macvlan","ipam":{"type":"spiderpool","ipam_unix_socket_path":"/explicit.sock"}},
	  {"type":"macvlan","ipam":{"type":"host-local"}},
	  {"type":"tuning"}]}`
	out, err := withNodeSocket([]byte(in), "/node1.sock")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Plugins []struct {
			IPAM map[string]any `json:"ipam"`
		} `json:"plugins"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := []any{"/node1.sock", "/explicit.sock", nil, nil}
	var have []any
	for _, p := range got.Plugins {
		have = append(have, p.IPAM["ipam_unix_socket_path"])
	}
	if d := cmp.Diff(want, have); d != "" {
		t.Errorf("socket paths (-want +got):\n%s", d)
	}
}
