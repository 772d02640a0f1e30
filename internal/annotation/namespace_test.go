// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseNamespaceDefaultPools(t *testing.T) {
	got, err := ParseNamespaceDefaultIPv4Pools(`["ns-v4-pool1","ns-v4-*"]`)
	if err != nil {
		t.Fatalf("ParseNamespaceDefaultIPv4Pools() error = %v", err)
	}
	if diff := cmp.Diff([]string{"ns-v4-pool1", "ns-v4-*"}, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if got, err := ParseNamespaceDefaultIPv6Pools(`[]`); err != nil || len(got) != 0 {
		t.Errorf("ParseNamespaceDefaultIPv6Pools([]) = %v, %v; want empty, nil", got, err)
	}
	invalid := []invalidCase{
		{"empty", "", []string{"value is empty", `["pool-a","pool-b"]`}},
		{"comma list", "a,b", []string{"invalid JSON"}},
		{"string", `"a"`, []string{"JSON string but must be an array"}},
		{"empty name", `["a",""]`, []string{"item[1] is empty"}},
		{"duplicate", `["a","a"]`, []string{`lists "a" twice`}},
	}
	runInvalid(t, KeyNamespaceDefaultIPv4Pool, ParseNamespaceDefaultIPv4Pools, invalid)
	runInvalid(t, KeyNamespaceDefaultIPv6Pool, ParseNamespaceDefaultIPv6Pools, invalid)
}

func TestNamespaceDefaultPools(t *testing.T) {
	v4, v6, err := NamespaceDefaultPools(map[string]string{
		KeyNamespaceDefaultIPv4Pool: `["a"]`, "other": "x",
	})
	if err != nil {
		t.Fatalf("NamespaceDefaultPools() error = %v", err)
	}
	if diff := cmp.Diff([]string{"a"}, v4); diff != "" || v6 != nil {
		t.Errorf("NamespaceDefaultPools() = %v, %v; want [a], nil", v4, v6)
	}

	_, _, err = NamespaceDefaultPools(map[string]string{
		KeyNamespaceDefaultIPv4Pool: `x`, KeyNamespaceDefaultIPv6Pool: `[""]`,
	})
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		t.Fatalf("NamespaceDefaultPools() error = %v, want a joined error", err)
	}
	var keys []string
	for _, e := range joined.Unwrap() {
		var aerr *Error
		if errors.As(e, &aerr) {
			keys = append(keys, aerr.Key)
		}
	}
	if diff := cmp.Diff([]string{KeyNamespaceDefaultIPv4Pool, KeyNamespaceDefaultIPv6Pool}, keys); diff != "" {
		t.Errorf("joined error keys mismatch (-want +got):\n%s", diff)
	}
}
