// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCNIConf(t *testing.T) {
	tests := []struct {
		name string
		data string
		want cniConf
		err  bool
	}{
		{name: "conflist, first plugin is the main one",
			data: `{"cniVersion":"0.3.1","name":"macvlan-eth0","plugins":[{"type":"macvlan","master":"eth0","ipam":{"type":"spiderpool"}},{"type":"coordinator"}]}`,
			want: cniConf{Name: "macvlan-eth0", Type: "macvlan", Master: "eth0"}},
		{name: "conf", data: `{"cniVersion":"0.3.1","name":"ib","type":"ipoib","master":"ib0"}`,
			want: cniConf{Name: "ib", Type: "ipoib", Master: "ib0"}},
		{name: "calico", data: `{"name":"k8s-pod-network","cniVersion":"0.3.1","plugins":[{"type":"calico"},{"type":"portmap"}]}`,
			want: cniConf{Name: "k8s-pod-network", Type: "calico"}},
		{name: "not JSON", data: `name: x`, err: true},
		{name: "no name", data: `{"type":"bridge"}`, err: true},
		{name: "no type", data: `{"name":"x","plugins":[{"master":"eth0"}]}`, err: true},
		{name: "empty plugins", data: `{"name":"x","plugins":[]}`, err: true},
		{name: "plugins is not a list", data: `{"name":"x","plugins":{"type":"macvlan"}}`, err: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseCNIConf([]byte(tc.data))
			if tc.err {
				if !errors.Is(err, ErrBadCNIConf) {
					t.Fatalf("parseCNIConf() error = %v, want ErrBadCNIConf", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseCNIConf() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parseCNIConf() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseCNIConf(f *testing.F) {
	for _, seed := range []string{
		`{"name":"n","plugins":[{"type":"macvlan","master":"eth0"}]}`, `{"name":"n","type":"ipvlan"}`,
		`{"name":"","plugins":[]}`, `[]`, `null`, `{"name":1}`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := parseCNIConf(data)
		if err != nil {
			if !errors.Is(err, ErrBadCNIConf) {
				t.Fatalf("error %v does not wrap ErrBadCNIConf", err)
			}
			return
		}
		if got.Name == "" || got.Type == "" {
			t.Fatalf("parseCNIConf(%q) = %+v without error", data, got)
		}
	})
}

// writeFiles writes name → content into a new temporary directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFindDefaultCNI(t *testing.T) {
	macvlan := `{"name":"macvlan-eth0","plugins":[{"type":"macvlan","master":"eth0"}]}`
	calico := `{"name":"k8s-pod-network","plugins":[{"type":"calico"}]}`
	tests := []struct {
		name      string
		files     map[string]string
		want      cniConf
		wantFile  string
		wantFound bool
		wantErr   bool
	}{
		{name: "empty directory"},
		{name: "multus' own file and other extensions are skipped", files: map[string]string{
			"00-multus.conf": `{"name":"multus-cni-network","type":"multus"}`, "05-x.json": calico, "README": "x",
			"10-calico.conflist": calico, "20-macvlan.conflist": macvlan, "01-sub/a.conf": macvlan,
		}, want: cniConf{Name: "k8s-pod-network", Type: "calico"}, wantFile: "10-calico.conflist", wantFound: true},
		{name: "first by name wins", files: map[string]string{"20-calico.conflist": calico, "10-macvlan.conf": macvlan},
			want: cniConf{Name: "macvlan-eth0", Type: "macvlan", Master: "eth0"}, wantFile: "10-macvlan.conf", wantFound: true},
		{name: "a bad first file is an error", files: map[string]string{"10-bad.conf": "{", "20-calico.conflist": calico},
			wantFile: "10-bad.conf", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			got, file, found, err := findDefaultCNI(dir)
			if (err != nil) != tc.wantErr {
				t.Fatalf("findDefaultCNI() error = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantFile != "" && file != filepath.Join(dir, tc.wantFile) {
				t.Errorf("file = %q, want %q", file, tc.wantFile)
			}
			if found != tc.wantFound {
				t.Errorf("found = %v, want %v", found, tc.wantFound)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findDefaultCNI() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindDefaultCNIMissingDirectory(t *testing.T) {
	for _, dir := range []string{"", filepath.Join(t.TempDir(), "absent")} {
		_, _, found, err := findDefaultCNI(dir)
		if err != nil || found {
			t.Errorf("findDefaultCNI(%q) = found %v, error %v; want nothing found, no error", dir, found, err)
		}
	}
}
