// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package netconf

import (
	"encoding/json"
	"errors"
	"net/netip"
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
		if diff := cmp.Diff(conf, again, cmpopts.EquateEmpty()); diff != "" {
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
