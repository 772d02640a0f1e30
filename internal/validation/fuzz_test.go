// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"net/netip"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// FuzzPoolDefaultThenValidate checks that what the mutating webhook makes
// of any ips list never trips the "entries overlap" rule, that defaulting
// is idempotent, and that nothing panics.
func FuzzPoolDefaultThenValidate(f *testing.F) {
	f.Add("10.6.0.0/16", "10.6.0.1,10.6.0.3-10.6.0.9,10.6.0.2", "10.6.0.5")
	f.Add("fd00::/64", "fd00::1-fd00::ff,fd00::80", "")
	f.Add("10.6.0.1/16", "x,10.6.0.1", "10.6.0.1-")
	f.Add("::/0", "::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:1.2.3.4")
	f.Fuzz(func(t *testing.T, subnet, ips, exclude string) {
		p := pool4("p")
		p.Spec.IPVersion, p.Spec.Subnet = nil, subnet
		p.Spec.IPs, p.Spec.ExcludeIPs = strings.Split(ips, ","), strings.Split(exclude, ",")
		DefaultIPPool(p)
		again := p.DeepCopy()
		DefaultIPPool(again)
		if !SpecUnchanged(p.Spec, again.Spec) {
			t.Fatalf("defaulting twice changed the spec: %+v then %+v", p.Spec, again.Spec)
		}
		for _, e := range ValidateIPPool(p, IPPoolEnv{Config: allOn, Pools: pools(p)}) {
			if e.Type == field.ErrorTypeInvalid && strings.Contains(e.Detail, "merge them into one range") {
				t.Fatalf("merged list %q still overlaps: %v", p.Spec.IPs, e)
			}
		}
	})
}

// FuzzMACPrefix checks validateMACPrefix against a direct reading of the
// rule: "xx:xx" in hex with an even first byte.
func FuzzMACPrefix(f *testing.F) {
	for _, s := range []string{"0a:1b", "0b:1b", "0a-1b", "", "zz:00", "0a:1b:2c", "\xff:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		errs := validateMACPrefix(&s, field.NewPath("p"))
		valid := s == "" || (len(s) == 5 && s[2] == ':' && isHex(s[:2]) && isHex(s[3:]) && strings.IndexByte("02468aceACE", s[1]) >= 0)
		if valid != (len(errs) == 0) {
			t.Fatalf("validateMACPrefix(%q) = %v, want valid=%v", s, errs, valid)
		}
	})
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// FuzzNormaliseHijackCIDR checks that normalising keeps every entry that
// is not a bare IP and turns bare IPs into valid host prefixes, so that the
// result always passes the hijackCIDR rule when the input did.
func FuzzNormaliseHijackCIDR(f *testing.F) {
	for _, s := range []string{"10.0.0.1", "10.0.0.0/8", "fd00::1", "fe80::1%eth0", "x", "::ffff:1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := NormaliseHijackCIDR([]string{s})
		if len(out) != 1 {
			t.Fatalf("NormaliseHijackCIDR(%q) = %q", s, out)
		}
		if _, err := netip.ParseAddr(s); err != nil || strings.Contains(s, "%") {
			if out[0] != s {
				t.Fatalf("NormaliseHijackCIDR(%q) = %q, want it kept", s, out[0])
			}
			return
		}
		p, err := netip.ParsePrefix(out[0])
		if err != nil || !p.IsSingleIP() {
			t.Fatalf("NormaliseHijackCIDR(%q) = %q, not a host prefix: %v", s, out[0], err)
		}
		if isIPOrCIDR(s) && !isIPOrCIDR(out[0]) {
			t.Fatalf("NormaliseHijackCIDR(%q) = %q no longer passes", s, out[0])
		}
	})
}

// FuzzDefaultReservedIP checks that a derived ipVersion always validates
// the entry it was derived from.
func FuzzDefaultReservedIP(f *testing.F) {
	for _, s := range []string{"10.6.0.1", "10.6.0.1-10.6.0.9", "fd00::1-fd00::2", "x", "10.6.0.1-fd00::1", "::ffff:1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rip := reservedIP(nil, s)
		DefaultReservedIP(rip)
		if rip.Spec.IPVersion == nil {
			return
		}
		if v := *rip.Spec.IPVersion; v != spiderpoolv2beta1.IPv4 && v != spiderpoolv2beta1.IPv6 {
			t.Fatalf("derived ipVersion %d from %q", v, s)
		}
		for _, e := range ValidateReservedIP(rip, allOn) {
			if e.Field == "spec.ipVersion" {
				t.Fatalf("derived ipVersion rejected: %v", e)
			}
		}
	})
}
