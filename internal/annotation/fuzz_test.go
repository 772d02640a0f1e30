// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fuzzRoundTrip checks that parse never panics, fails only with *Error for
// key, and that a valid result, written back with format, parses to the
// same value.
func fuzzRoundTrip[T any](f *testing.F, key string, parse func(string) (T, error),
	format func(T) (string, error), seeds ...string,
) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := parse(in)
		if err != nil {
			var aerr *Error
			if !errors.As(err, &aerr) || aerr.Key != key {
				t.Fatalf("parse(%q) error = %v, want *Error for %q", in, err, key)
			}
			return
		}
		out, err := format(got)
		if err != nil {
			t.Fatalf("format(%+v) error = %v", got, err)
		}
		again, err := parse(out)
		if err != nil {
			t.Fatalf("parse(format(parse(%q))) = parse(%q) error = %v", in, out, err)
		}
		if diff := cmp.Diff(got, again, netipEqual, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip of %q via %q mismatch (-first +second):\n%s", in, out, diff)
		}
	})
}

func marshal[T any](v T) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func identity(s string) (string, error) { return s, nil }

func FuzzParseIPPool(f *testing.F) {
	fuzzRoundTrip(f, KeyIPPool, ParseIPPool, marshal[IPPool],
		`{"ipv4":["a","b"],"ipv6":["c*"]}`, `{}`, `{"ipv4":[""]}`, `{"ipv4":["[a-"]}`, `null`, `[]`)
}

func FuzzParseIPPools(f *testing.F) {
	fuzzRoundTrip(f, KeyIPPools, ParseIPPools, marshal[IPPools],
		`[{"interface":"eth0","ipv4":["a"],"ipv6":["a6"],"cleangateway":false},{"interface":"net1","ipv4":["b"],"cleangateway":true}]`,
		`[{"ipv4":["a"]},{"ipv6":["b"]}]`, `[{"interface":"eth0","ipv4":["a"]},{"ipv4":["b"]}]`, `[]`, `null`)
}

func FuzzIPPoolsForNIC(f *testing.F) {
	f.Add(`[{"interface":"eth0","ipv4":["a"]},{"interface":"net1","ipv4":["b"]}]`, "net1")
	f.Add(`[{"ipv4":["a"]},{"ipv6":["b"]}]`, "net1")
	f.Add(`[{"ipv4":["a"]},{"ipv6":["b"]}]`, "1")
	f.Fuzz(func(t *testing.T, value, nic string) {
		pools, err := ParseIPPools(value)
		if err != nil {
			return
		}
		req, err := pools.ForNIC(nic)
		if err != nil {
			var aerr *Error
			if !errors.As(err, &aerr) || aerr.Key != KeyIPPools {
				t.Fatalf("ForNIC(%q) error = %v, want *Error for %q", nic, err, KeyIPPools)
			}
			return
		}
		// The item found is recorded under a name that finds it again.
		name := pools.NICNames()[req.Index]
		again, err := pools.ForNIC(name)
		if err != nil || again.Index != req.Index {
			t.Fatalf("ForNIC(%q) = item %d, but ForNIC(%q) = item %d, %v", nic, req.Index, name, again.Index, err)
		}
	})
}

func FuzzParseRoutes(f *testing.F) {
	fuzzRoundTrip(f, KeyRoutes, ParseRoutes, marshal[[]Route],
		`[{"dst":"10.0.0.0/16","gw":"192.168.1.1"},{"dst":"fd00::/64","gw":"fd00::1"}]`,
		`[{"dst":"10.1.2.3/8","gw":"::ffff:10.0.0.1"}]`, `[{"dst":"10.0.0.0/8"}]`, `[]`, `{}`)
}

func FuzzParseSubnet(f *testing.F) {
	fuzzRoundTrip(f, KeySubnet, ParseSubnet, marshal[Subnet],
		`{"interface":"eth0","ipv4":["s4"],"ipv6":["s6"]}`, `{"ipv4":["s"]}`, `{}`)
}

func FuzzParseSubnets(f *testing.F) {
	fuzzRoundTrip(f, KeySubnets, ParseSubnets, marshal[[]Subnet],
		`[{"interface":"eth0","ipv4":["s1"]},{"interface":"net1","ipv4":["s2"]}]`,
		`[{"ipv4":["s1"]},{"ipv4":["s2"]}]`, `[]`)
}

func FuzzParseIPNumber(f *testing.F) {
	fuzzRoundTrip(f, KeyIPPoolIPNumber, ParseIPNumber,
		func(n IPNumber) (string, error) { return n.String(), nil },
		"2", "+1", "-1", "++1", "1+", "+", "", "007", "2147483648")
}

func FuzzParseReclaim(f *testing.F) {
	fuzzRoundTrip(f, KeyIPPoolReclaim, ParseReclaim,
		func(b bool) (string, error) { return marshal(b) },
		"true", "false", "1", "T", "yes", "")
}

func FuzzParseDefaultRouteNIC(f *testing.F) {
	fuzzRoundTrip(f, KeyDefaultRouteNIC, ParseDefaultRouteNIC, identity,
		"net1", "", "a/b", "..", "0123456789abcdef")
}

func FuzzParseNamespaceDefaultIPv4Pools(f *testing.F) {
	fuzzRoundTrip(f, KeyNamespaceDefaultIPv4Pool, ParseNamespaceDefaultIPv4Pools, marshal[[]string],
		`["a","b*"]`, `[]`, `["a","a"]`, `[""]`, `"a"`)
}

func FuzzParseNamespaceDefaultIPv6Pools(f *testing.F) {
	fuzzRoundTrip(f, KeyNamespaceDefaultIPv6Pool, ParseNamespaceDefaultIPv6Pools, marshal[[]string],
		`["v6-a","v6-[ab]"]`, `null`, `[1]`)
}

func FuzzParseMultusNetworks(f *testing.F) {
	fuzzRoundTrip(f, KeyMultusNetworks, ParseMultusNetworks, marshalNetworks,
		"kube-system/macvlan@net1,other", "a,,b", "/a@", "ns/a/b",
		`[{"name":"a","namespace":"ns","interface":"net1"}]`, `[{"namespace":"ns"}]`, "", `{}`)
}

func FuzzParseMultusDefaultNetwork(f *testing.F) {
	fuzzRoundTrip(f, KeyMultusDefaultNetwork, ParseMultusDefaultNetwork,
		func(n NetworkSelection) (string, error) { return marshal([]NetworkSelection{n}) },
		"calico", "kube-system/calico", `[{"name":"calico"}]`, "a,b", "")
}

// marshalNetworks writes the JSON form, except that no networks is the
// empty string (JSON "null" or "[]" would also do).
func marshalNetworks(nets []NetworkSelection) (string, error) {
	if len(nets) == 0 {
		return "", nil
	}
	return marshal(nets)
}
