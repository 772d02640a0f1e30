// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNormalizeNetConf(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantName  string
		wantTypes []string
		wantErr   bool
	}{
		{name: "conflist", in: `{"cniVersion":"1.0.0","name":"n1","plugins":[{"type":"macvlan"},{"type":"tuning"}]}`,
			wantName: "n1", wantTypes: []string{"macvlan", "tuning"}},
		{name: "single plugin", in: `{"cniVersion":"0.3.1","name":"n2","type":"macvlan","master":"eth0"}`,
			wantName: "n2", wantTypes: []string{"macvlan"}},
		{name: "single plugin without name", in: `{"cniVersion":"1.0.0","type":"macvlan"}`,
			wantName: "fallback", wantTypes: []string{"macvlan"}},
		{name: "not json", in: `macvlan`, wantErr: true},
		{name: "null", in: `null`, wantErr: true},
		{name: "no type", in: `{"name":"n3"}`, wantErr: true},
		{name: "empty plugins", in: `{"name":"n4","plugins":[]}`, wantErr: true},
		{name: "bad name", in: `{"name":"ns/n5","type":"macvlan"}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := normalizeNetConf([]byte(tt.in), "fallback")
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			list, err := parseConfList(out)
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, p := range list.Plugins {
				types = append(types, p.Network.Type)
			}
			if list.Name != tt.wantName || !cmp.Equal(types, tt.wantTypes) {
				t.Errorf("got name %q types %v, want %q %v", list.Name, types, tt.wantName, tt.wantTypes)
			}
		})
	}
}

func FuzzNormalizeNetConf(f *testing.F) {
	f.Add([]byte(`{"cniVersion":"1.0.0","name":"n1","plugins":[{"type":"macvlan"}]}`))
	f.Add([]byte(`{"type":"macvlan"}`))
	f.Add([]byte(`{"plugins":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := normalizeNetConf(data, "fallback")
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON out of %q", data)
		}
		again, err := normalizeNetConf(out, "other")
		if err != nil || string(again) != string(out) {
			t.Fatalf("not idempotent: %q -> %q (%v)", out, again, err)
		}
	})
}

func TestLoadDefaultNetwork(t *testing.T) {
	dir := t.TempDir()
	if _, err := loadDefaultNetwork(dir); !errors.Is(err, ErrNoDefaultNetwork) {
		t.Fatalf("empty dir: error = %v, want ErrNoDefaultNetwork", err)
	}
	files := map[string]string{
		"20-second.conflist": `{"cniVersion":"1.0.0","name":"second","plugins":[{"type":"bridge"}]}`,
		"10-first.conf":      `{"cniVersion":"1.0.0","name":"first","type":"macvlan"}`,
		"00-ignored.txt":     `{"name":"ignored","type":"macvlan"}`,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	n, err := loadDefaultNetwork(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n.Name != "first" || n.IfName != "eth0" || !n.Default {
		t.Errorf("default network = %+v, want first on eth0", n)
	}
}
