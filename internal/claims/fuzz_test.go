// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims_test

import (
	"net/netip"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/spiderpool-go/spiderpool/internal/claims"
)

// FuzzName: for every valid pool and address, the name is a valid object
// name that parses back to the address and to the pool (or its hash).
func FuzzName(f *testing.F) {
	f.Add("p1", []byte{10, 0, 0, 5})
	f.Add("a.b", []byte{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5})
	f.Add(strings.Repeat("x", 240), []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, pool string, raw []byte) {
		a, ok := netip.AddrFromSlice(raw)
		if !ok || a.Is4In6() || len(validation.IsDNS1123Subdomain(pool)) > 0 {
			return
		}
		name, err := claims.Name(pool, a)
		if err != nil {
			t.Fatalf("Name(%q, %v): %v", pool, a, err)
		}
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
			t.Fatalf("Name(%q, %v) = %q, not an object name: %v", pool, a, name, errs)
		}
		prefix, back, err := claims.ParseName(name)
		if err != nil || back != a {
			t.Fatalf("ParseName(%q) = %v, %v; want %v", name, back, err, a)
		}
		if prefix != pool && prefix != claims.HashPool(pool) {
			t.Fatalf("ParseName(%q) prefix %q, want %q or its hash", name, prefix, pool)
		}
		if label := claims.PoolLabelValue(pool); len(validation.IsValidLabelValue(label)) > 0 {
			t.Fatalf("PoolLabelValue(%q) = %q, not a label value", pool, label)
		}
	})
}

// FuzzParseName: any string either fails or parses into a name that Name
// gives back exactly; it never panics.
func FuzzParseName(f *testing.F) {
	for _, s := range []string{"p1.10-0-0-5", "p1.fd00--5", "p1.0--1", "p1.--1", "a..b", ".", "p1.10-0-0-05", "p1.1-2-3-4-5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prefix, a, err := claims.ParseName(s)
		if err != nil {
			return
		}
		enc, err := claims.EncodeAddr(a)
		if err != nil || prefix+"."+enc != s {
			t.Fatalf("ParseName(%q) = %q, %v, which spells %q (%v)", s, prefix, a, prefix+"."+enc, err)
		}
		if back, err := claims.DecodeAddr(enc); err != nil || back != a {
			t.Fatalf("DecodeAddr(%q) = %v, %v; want %v", enc, back, err, a)
		}
	})
}
