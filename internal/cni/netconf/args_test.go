// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package netconf

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseArgsValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want PodArgs
	}{{
		name: "containerd style",
		in: "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;" +
			"K8S_POD_INFRA_CONTAINER_ID=abc123;K8S_POD_UID=1f2e;FOO=bar",
		want: PodArgs{Name: "web-0", Namespace: "default", UID: "1f2e", InfraContainerID: "abc123"},
	}, {
		name: "IgnoreUnknown=true also ignores unknown keys",
		in:   "IgnoreUnknown=true;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;OTHER=x",
		want: PodArgs{Name: "p", Namespace: "ns"},
	}, {
		name: "IP is parsed",
		in:   "K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;IP=fd00::5",
		want: PodArgs{Name: "p", Namespace: "ns", IP: netip.MustParseAddr("fd00::5")},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseArgs(tc.in)
			if err != nil {
				t.Fatalf("ParseArgs() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
				t.Errorf("ParseArgs() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseArgsInvalid(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantKey string
		wantMsg []string
	}{
		{"empty", "", ArgPodName, []string{"missing", "K8S_POD_NAME=<value>"}},
		{"no namespace", "K8S_POD_NAME=p", ArgPodNamespace, []string{"missing"}},
		{"empty name", "K8S_POD_NAME=;K8S_POD_NAMESPACE=ns", ArgPodName, []string{"missing or empty"}},
		{"unknown key without IgnoreUnknown", "K8S_POD_NAME=p;K8S_POD_NAMESPACE=ns;FOO=bar", "",
			[]string{"FOO=bar", "IgnoreUnknown=1"}},
		{"not a pair", "K8S_POD_NAME", "", []string{"KEY=VALUE"}},
		{"bad IP", "K8S_POD_NAME=p;K8S_POD_NAMESPACE=ns;IP=10.0.0", "", []string{"IP=10.0.0"}},
		{"bad IgnoreUnknown", "IgnoreUnknown=maybe;K8S_POD_NAME=p", "", []string{"maybe"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseArgs(tc.in)
			if !errors.Is(err, ErrInvalidArgs) {
				t.Fatalf("ParseArgs() error = %v, want one matching ErrInvalidArgs", err)
			}
			var aerr *ArgsError
			if !errors.As(err, &aerr) || aerr.Key != tc.wantKey {
				t.Fatalf("ParseArgs() error = %#v, want *ArgsError with Key %q", err, tc.wantKey)
			}
			for _, s := range tc.wantMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q does not contain %q", err, s)
				}
			}
		})
	}
}
