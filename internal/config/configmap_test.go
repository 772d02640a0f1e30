// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// chartConfYML is conf.yml as the v1.0.6 chart renders it with default values.
const chartConfYML = `ipamUnixSocketPath: /var/run/spidernet/spiderpool.sock
enableIPv4: true
enableIPv6: true
enableStatefulSet: true
enableKubevirtStaticIP: true
enableSpiderSubnet: true
enableAutoPoolForApplication: true
enableIPConflictDetection: false
enableGatewayDetection: false
enableCleanOutdatedEndpoint: false
clusterSubnetDefaultFlexibleIPNumber: 1
tuneSysctlConfig: true
podResourceInject:
  enabled: false
  namespacesExclude: ["kube-system","spiderpool","metallb-system","istio-system"]
  namespacesInclude: []
enableValidatingResourcesDeletedWebhook: false
`

func TestParseConfigMap(t *testing.T) {
	defaults := ConfigMap{IPAMUnixSocketPath: DefaultIPAMUnixSocketPath}
	tests := []struct {
		name string
		in   string
		want ConfigMap
	}{
		{name: "empty file", in: "", want: defaults},
		{name: "empty mapping", in: "{}", want: defaults},
		{name: "only comments", in: "# nothing\n", want: defaults},
		{name: "chart defaults", in: chartConfYML, want: ConfigMap{
			IPAMUnixSocketPath: DefaultIPAMUnixSocketPath, EnableIPv4: true, EnableIPv6: true,
			EnableStatefulSet: true, EnableKubevirtStaticIP: true, EnableSpiderSubnet: true,
			EnableAutoPoolForApplication: true, ClusterSubnetDefaultFlexibleIPNumber: 1, TuneSysctlConfig: true,
			PodResourceInject: PodResourceInject{
				NamespacesExclude: []string{"kube-system", "spiderpool", "metallb-system", "istio-system"},
				NamespacesInclude: []string{},
			},
		}},
		{name: "every key overridden", in: `
ipamUnixSocketPath: /run/sp.sock
enableIPv4: true
enableIPv6: true
enableStatefulSet: true
enableKubevirtStaticIP: true
enableCleanOutdatedEndpoint: true
enableSpiderSubnet: true
enableAutoPoolForApplication: true
enableIPConflictDetection: true
enableGatewayDetection: true
enableValidatingResourcesDeletedWebhook: true
clusterSubnetDefaultFlexibleIPNumber: 7
tuneSysctlConfig: true
podResourceInject: {enabled: true, namespacesExclude: [a], namespacesInclude: [b, c]}
`, want: ConfigMap{
			IPAMUnixSocketPath: "/run/sp.sock", EnableIPv4: true, EnableIPv6: true, EnableStatefulSet: true,
			EnableKubevirtStaticIP: true, EnableCleanOutdatedEndpoint: true, EnableSpiderSubnet: true,
			EnableAutoPoolForApplication: true, EnableIPConflictDetection: true, EnableGatewayDetection: true,
			EnableValidatingResourcesDeletedWebhook: true, ClusterSubnetDefaultFlexibleIPNumber: 7, TuneSysctlConfig: true,
			PodResourceInject: PodResourceInject{Enabled: true, NamespacesExclude: []string{"a"}, NamespacesInclude: []string{"b", "c"}},
		}},
		{name: "empty socket path gets the default", in: `ipamUnixSocketPath: ""`, want: defaults},
		{name: "null values keep defaults", in: "enableIPv4:\nipamUnixSocketPath: ~\npodResourceInject: null\nclusterSubnetDefaultFlexibleIPNumber: null\n", want: defaults},
		{name: "unknown keys ignored", in: "clusterDefaultIPv4IPPool: [a]\nnetworkMode: legacy\nenableIPv4: true\nfoo: {bar: [1, 2]}\npodResourceInject: {other: 1}\n",
			want: ConfigMap{IPAMUnixSocketPath: DefaultIPAMUnixSocketPath, EnableIPv4: true}},
		{name: "keys are case sensitive", in: "EnableIPv4: true\nenableipv6: true\n", want: defaults},
		{name: "YAML 1.1 booleans", in: "enableIPv4: yes\nenableIPv6: on\nenableStatefulSet: True\n",
			want: ConfigMap{IPAMUnixSocketPath: DefaultIPAMUnixSocketPath, EnableIPv4: true, EnableIPv6: true, EnableStatefulSet: true}},
		{name: "numeric namespace names are strings", in: "podResourceInject: {namespacesExclude: [123, ns]}\n",
			want: ConfigMap{IPAMUnixSocketPath: DefaultIPAMUnixSocketPath, PodResourceInject: PodResourceInject{NamespacesExclude: []string{"123", "ns"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseConfigMap([]byte(tc.in))
			if err != nil {
				t.Fatalf("ParseConfigMap() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseConfigMap() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseConfigMapFlexibleIPNumber checks that both spellings are read and
// the documented one wins (docs/compatibility.md #3).
func TestParseConfigMapFlexibleIPNumber(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
	}{
		{name: "neither", in: "enableIPv4: true", want: 0},
		{name: "documented spelling only", in: "clusterSubnetDefaultFlexibleIPNumber: 3", want: 3},
		{name: "code spelling only", in: "clusterSubnetAutoPoolDefaultRedundantIPNumber: 4", want: 4},
		{name: "both: documented wins", in: "clusterSubnetAutoPoolDefaultRedundantIPNumber: 4\nclusterSubnetDefaultFlexibleIPNumber: 3", want: 3},
		{name: "both, documented is zero: documented wins", in: "clusterSubnetDefaultFlexibleIPNumber: 0\nclusterSubnetAutoPoolDefaultRedundantIPNumber: 4", want: 0},
		{name: "documented null: code spelling used", in: "clusterSubnetDefaultFlexibleIPNumber: null\nclusterSubnetAutoPoolDefaultRedundantIPNumber: 4", want: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseConfigMap([]byte(tc.in))
			if err != nil {
				t.Fatalf("ParseConfigMap() error = %v", err)
			}
			if got.ClusterSubnetDefaultFlexibleIPNumber != tc.want {
				t.Errorf("ClusterSubnetDefaultFlexibleIPNumber = %d, want %d", got.ClusterSubnetDefaultFlexibleIPNumber, tc.want)
			}
		})
	}
}

func TestParseConfigMapWrongTypes(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // keys, in order
	}{
		{name: "string for bool", in: `enableIPv4: "true"`, want: []string{"enableIPv4"}},
		{name: "word for bool", in: "enableIPv6: maybe", want: []string{"enableIPv6"}},
		{name: "float for int", in: "clusterSubnetDefaultFlexibleIPNumber: 1.5", want: []string{"clusterSubnetDefaultFlexibleIPNumber"}},
		{name: "string for int, code spelling", in: "clusterSubnetAutoPoolDefaultRedundantIPNumber: one", want: []string{"clusterSubnetAutoPoolDefaultRedundantIPNumber"}},
		{name: "list for string", in: "ipamUnixSocketPath: [a]", want: []string{"ipamUnixSocketPath"}},
		{name: "scalar for mapping", in: "podResourceInject: true", want: []string{"podResourceInject"}},
		{name: "nested bool", in: "podResourceInject: {enabled: sure}", want: []string{"podResourceInject.enabled"}},
		{name: "nested list", in: "podResourceInject: {namespacesExclude: kube-system}", want: []string{"podResourceInject.namespacesExclude"}},
		{name: "list of lists", in: "podResourceInject: {namespacesInclude: [[a]]}", want: []string{"podResourceInject.namespacesInclude"}},
		{name: "every bad key reported", in: "enableIPv4: x\ntuneSysctlConfig: 2\npodResourceInject: {enabled: [], namespacesInclude: {}}",
			want: []string{"enableIPv4", "tuneSysctlConfig", "podResourceInject.enabled", "podResourceInject.namespacesInclude"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfigMap([]byte(tc.in))
			if !errors.Is(err, ErrInvalidConfigMap) {
				t.Fatalf("error = %v, want ErrInvalidConfigMap", err)
			}
			var keys []string
			for _, leaf := range leaves(err) {
				var ke *KeyError
				if !errors.As(leaf, &ke) {
					t.Fatalf("problem %v (%T) is not a *KeyError", leaf, leaf)
				}
				if !strings.Contains(leaf.Error(), `"`+ke.Key+`"`) || !strings.Contains(leaf.Error(), "expected ") {
					t.Errorf("message %q does not name the key and the expected form", leaf)
				}
				keys = append(keys, ke.Key)
			}
			if diff := cmp.Diff(tc.want, keys); diff != "" {
				t.Errorf("keys mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseConfigMapMalformed(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "top level list", in: "- a\n- b\n", want: "expected a mapping"},
		{name: "top level scalar", in: "hello", want: "expected a mapping"},
		{name: "bad YAML", in: "enableIPv4: [\n", want: "yaml"},
		{name: "tab indentation", in: "podResourceInject:\n\tenabled: true\n", want: "yaml"},
		{name: "duplicate key", in: "enableIPv4: true\nenableIPv4: false\n", want: "enableIPv4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfigMap([]byte(tc.in))
			if !errors.Is(err, ErrInvalidConfigMap) {
				t.Fatalf("error = %v, want ErrInvalidConfigMap", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadConfigMap(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "conf.yml")
	bad := filepath.Join(dir, "bad.yml")
	if err := os.WriteFile(good, []byte(chartConfYML), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("enableIPv4: 12\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	got, err := LoadConfigMap(good)
	if err != nil {
		t.Fatalf("LoadConfigMap(good) error = %v", err)
	}
	want, _ := ParseConfigMap([]byte(chartConfYML))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LoadConfigMap(good) mismatch (-want +got):\n%s", diff)
	}

	_, err = LoadConfigMap(bad)
	var ke *KeyError
	if !errors.As(err, &ke) || ke.Key != "enableIPv4" {
		t.Errorf("LoadConfigMap(bad) error = %v, want a *KeyError for enableIPv4", err)
	}
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("LoadConfigMap(bad) error %v does not name %s", err, bad)
	}

	missingPath := filepath.Join(dir, "absent.yml")
	_, err = LoadConfigMap(missingPath)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missingPath) {
		t.Errorf("LoadConfigMap(absent) error = %v, want fs.ErrNotExist naming the path", err)
	}
}
