// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator_test

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

func version(v6 bool) allocator.IPVersion {
	if v6 {
		return allocator.IPv6
	}
	return allocator.IPv4
}

// FuzzParseRange checks ParseRange against a reference built on net.ParseIP
// (what Spiderpool uses) and that accepted ranges format back losslessly.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"10.6.0.10", "10.6.0.10-10.6.0.20", "10.6.0.20-10.6.0.10", "fd00::10-fd00::20",
		"::ffff:1.2.3.4", "fe80::1%eth0", "1.2.3.4-", "-", "", "10.6.0.1 - 10.6.0.2", "fd00::1.2.3.4", "::"} {
		f.Add(false, s)
		f.Add(true, s)
	}
	f.Fuzz(func(t *testing.T, v6 bool, s string) {
		v := version(v6)
		r, err := allocator.ParseRange(v, s)
		if want := referenceAccepts(v, s); (err == nil) != want {
			t.Fatalf("ParseRange(%d, %q) error = %v, reference accepts = %v", v, s, err, want)
		}
		if err != nil {
			if !errors.Is(err, allocator.ErrInvalidRange) || !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("error %q does not wrap ErrInvalidRange or name the input", err)
			}
			return
		}
		if r.Version() != v {
			t.Fatalf("range %v has version %d", r, r.Version())
		}
		again, err := allocator.ParseRange(v, r.String())
		if err != nil || again != r {
			t.Fatalf("reparse of %q = %v, %v; want %v", r.String(), again, err, r)
		}
	})
}

// referenceAccepts is Spiderpool's rule (docs/reference/interface.md §2.1)
// spelled with the net package, plus this package's rejection of IPv4-mapped
// IPv6 addresses.
func referenceAccepts(v allocator.IPVersion, s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) > 2 {
		return false
	}
	var ips []net.IP
	for _, p := range parts {
		ip := net.ParseIP(p)
		if ip == nil || (v == allocator.IPv4) != (ip.To4() != nil) || (v == allocator.IPv4 && strings.Contains(p, ":")) {
			return false
		}
		ips = append(ips, ip)
	}
	return bytes.Compare(ips[0].To16(), ips[len(ips)-1].To16()) <= 0
}

// FuzzParseRanges checks MergeRanges on comma-separated lists: the result is
// canonical, sorted, maximal, idempotent and covers exactly the input.
func FuzzParseRanges(f *testing.F) {
	f.Add(false, "10.0.0.5,10.0.0.1-10.0.0.4,10.0.0.9")
	f.Add(false, "255.255.255.255,0.0.0.0-0.0.0.3,0.0.0.2")
	f.Add(true, "fd00::ffff:ffff:ffff:ffff,fd00:0:0:1::-fd00:0:0:1::5,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
	f.Add(true, "fd00::1,bad")
	f.Fuzz(func(t *testing.T, v6 bool, joined string) {
		v := version(v6)
		in := strings.Split(joined, ",")
		ranges, perr := allocator.ParseRanges(v, in)
		merged, err := allocator.MergeRanges(v, in)
		if (perr == nil) != (err == nil) {
			t.Fatalf("ParseRanges error %v but MergeRanges error %v", perr, err)
		}
		if err != nil {
			return
		}
		checkMerged(t, v, ranges, merged)
	})
}

func checkMerged(t *testing.T, v allocator.IPVersion, in []allocator.Range, merged []string) {
	t.Helper()
	again, err := allocator.MergeRanges(v, merged)
	if err != nil || !cmp.Equal(merged, again) {
		t.Fatalf("MergeRanges not idempotent: %q -> %q, %v", merged, again, err)
	}
	out := mustRanges(t, v, merged)
	for i, r := range out {
		if r.String() != merged[i] {
			t.Fatalf("entry %q is not canonical (%q)", merged[i], r.String())
		}
		if i > 0 && !out[i-1].Last.Next().Less(r.First) {
			t.Fatalf("entries %q and %q touch or are out of order", merged[i-1], merged[i])
		}
	}
	// Build the union a second way, one single-range set at a time.
	union := allocator.NewSet(v)
	for _, r := range in {
		one := allocator.NewSet(v)
		if err := one.Add(r); err != nil {
			t.Fatal(err)
		}
		if union, err = union.Union(one); err != nil {
			t.Fatal(err)
		}
	}
	if !cmp.Equal(union.Strings(), merged) {
		t.Fatalf("merged %q, union %q", merged, union.Strings())
	}
}

// FuzzCanonicalCIDR checks ParseCanonicalCIDR against net.ParseCIDR, and that
// the form suggested for an unformatted subnet is itself accepted.
func FuzzCanonicalCIDR(f *testing.F) {
	for _, s := range []string{"10.6.0.0/16", "10.6.0.1/16", "fd00::/64", "FD00::/64", "::ffff:10.0.0.0/104",
		"10.6.0.0/08", "10.6.0.0", "0.0.0.0/0", "::/0", "fd00::1%eth0/64"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := allocator.ParseCanonicalCIDR(s)
		_, ipNet, netErr := net.ParseCIDR(s)
		switch {
		case netErr != nil:
			if !errors.Is(err, allocator.ErrInvalidCIDR) {
				t.Fatalf("net rejects %q (%v) but got %v", s, netErr, err)
			}
		case ipNet.String() != s:
			if !errors.Is(err, allocator.ErrUnformattedCIDR) {
				t.Fatalf("%q is not canonical but got %v", s, err)
			}
			if _, err := allocator.ParseCanonicalCIDR(suggestion(err)); err != nil {
				t.Fatalf("suggested form for %q rejected: %v", s, err)
			}
		default:
			checkCanonical(t, s, p, err)
		}
	})
}

func suggestion(err error) string {
	msg := err.Error()
	const marker = "please change it to "
	return msg[strings.LastIndex(msg, marker)+len(marker):]
}

func checkCanonical(t *testing.T, s string, p netip.Prefix, err error) {
	t.Helper()
	if err != nil || p.String() != s {
		t.Fatalf("ParseCanonicalCIDR(%q) = %v, %v", s, p, err)
	}
	if _, err := allocator.ParseCIDR(allocator.VersionOf(p.Addr()), s); err != nil {
		t.Fatalf("ParseCIDR(%q) with its own family: %v", s, err)
	}
	if first := allocator.PrefixRange(p).First; first != p.Addr() {
		t.Fatalf("PrefixRange(%s).First = %s", p, first)
	}
	if label := allocator.CIDRToLabelValue(s); strings.ContainsAny(label, ".:/") || len(label) != len(s) {
		t.Fatalf("label value %q", label)
	}
}
