// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package netconf

import (
	"encoding/json"
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		`{"cniVersion":"0.3.1","name":"n","type":"macvlan","ipam":{"type":"spiderpool"}}`,
		`{"cniVersion":"1.1.0","ipam":{"type":"spiderpool","log_level":"INFO","log_file_max_size":-3,
			"default_ipv4_ippool":["a*","b"],"clean_gateway":true,"ipam_unix_socket_path":"/s"}}`,
		`{"cniVersion":"1.0.0","ipam":{"type":"spiderpool"},"prevResult":{"ips":[{"address":"10.0.0.2/24"}]},
			"capabilities":{"ips":true},"dns":{"nameservers":["1.1.1.1"]}}`,
		`{"cniVersion":"1.0.0","ipam":{}}`, `{`, `null`, `[]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		conf, err := Load(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("Load() error %v does not match ErrInvalidConfig", err)
			}
			return
		}
		out, err := json.Marshal(conf)
		if err != nil {
			t.Fatalf("Marshal() error = %v", err)
		}
		again, err := Load(out)
		if err != nil {
			t.Fatalf("Load(Marshal()) error = %v; marshalled %s", err, out)
		}
		if len(again.IPAM.Ignored) != 0 {
			t.Fatalf("Load kept paths it ignores on the second pass: %q", again.IPAM.Ignored)
		}
		if diff := cmp.Diff(conf, again, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(IPAMConfig{}, "Ignored")); diff != "" {
			t.Fatalf("round trip mismatch (-first +second):\n%s", diff)
		}
	})
}

func FuzzParseArgs(f *testing.F) {
	for _, seed := range []string{
		"IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;K8S_POD_UID=u;K8S_POD_INFRA_CONTAINER_ID=c",
		"K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;IP=10.0.0.1", "", "a", "CommonArgs=x", "=;=", "IgnoreUnknown=0;x=y",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		args, err := ParseArgs(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidArgs) {
				t.Fatalf("ParseArgs() error %v does not match ErrInvalidArgs", err)
			}
			return
		}
		again, err := ParseArgs(formatArgs(args))
		if err != nil {
			t.Fatalf("ParseArgs(format(%+v)) error = %v", args, err)
		}
		if diff := cmp.Diff(args, again, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
			t.Fatalf("round trip mismatch (-first +second):\n%s", diff)
		}
	})
}

// formatArgs writes args back in CNI_ARGS form.
func formatArgs(a PodArgs) string {
	s := "IgnoreUnknown=1;K8S_POD_NAME=" + a.Name + ";K8S_POD_NAMESPACE=" + a.Namespace
	if a.UID != "" {
		s += ";K8S_POD_UID=" + a.UID
	}
	if a.InfraContainerID != "" {
		s += ";K8S_POD_INFRA_CONTAINER_ID=" + a.InfraContainerID
	}
	if a.IP.IsValid() {
		s += ";IP=" + a.IP.String()
	}
	return s
}

// FuzzWithin: whatever the path, an accepted one is clean, absolute and
// strictly inside the directory, so no file outside it is ever touched.
func FuzzWithin(f *testing.F) {
	for _, seed := range []string{
		"/var/log/spidernet/a.log", "/var/log/spidernet/../x", "/var/log/spidernet", "/var/log/spidernet/",
		"/var/log/spidernetx/a", "a.log", "", "/var/log/spidernet/a/../../spidernet/b", "//var//log/spidernet//c",
		"/var/log/spidernet/\x00", "/var/log/spidernet/./.", "/var/log/spidernet/..",
	} {
		f.Add(seed)
	}
	const dir = "/var/log/spidernet"
	f.Fuzz(func(t *testing.T, p string) {
		got, ok := within(dir, p)
		if !ok {
			return
		}
		if !strings.HasPrefix(got, dir+"/") || got == dir+"/" || got != filepath.Clean(got) || strings.ContainsRune(got, 0) {
			t.Fatalf("within(%q, %q) accepted %q", dir, p, got)
		}
		for _, elem := range strings.Split(got, "/") {
			if elem == ".." {
				t.Fatalf("within(%q, %q) = %q keeps a .. element", dir, p, got)
			}
		}
		if again, ok := within(dir, got); !ok || again != got {
			t.Fatalf("within is not idempotent: %q -> %q, %v", got, again, ok)
		}
	})
}
