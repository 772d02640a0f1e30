// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator_test

import (
	"errors"
	"math"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

func rng(first, last string) allocator.Range {
	return allocator.Range{First: netip.MustParseAddr(first), Last: netip.MustParseAddr(last)}
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		name    string
		v       allocator.IPVersion
		in      string
		want    allocator.Range
		wantErr string // substring; the error must also wrap ErrInvalidRange
	}{
		{name: "single v4", v: allocator.IPv4, in: "10.6.0.10", want: rng("10.6.0.10", "10.6.0.10")},
		{name: "range v4", v: allocator.IPv4, in: "10.6.0.10-10.6.0.20", want: rng("10.6.0.10", "10.6.0.20")},
		{name: "one-address range", v: allocator.IPv4, in: "10.6.0.10-10.6.0.10", want: rng("10.6.0.10", "10.6.0.10")},
		{name: "single v6", v: allocator.IPv6, in: "fd00::10", want: rng("fd00::10", "fd00::10")},
		{name: "range v6", v: allocator.IPv6, in: "fd00::10-fd00::20", want: rng("fd00::10", "fd00::20")},
		{name: "v6 embedded v4 notation", v: allocator.IPv6, in: "fd00::1.2.3.4", want: rng("fd00::102:304", "fd00::102:304")},
		{name: "empty", v: allocator.IPv4, in: "", wantErr: `"" is not an IP address`},
		{name: "spaces", v: allocator.IPv4, in: "10.6.0.1 - 10.6.0.2", wantErr: `"10.6.0.1 " is not an IP address`},
		{name: "reversed", v: allocator.IPv4, in: "10.6.0.20-10.6.0.10", wantErr: "start is above the end"},
		{name: "three parts", v: allocator.IPv4, in: "10.6.0.1-10.6.0.2-10.6.0.3", wantErr: `"10.6.0.2-10.6.0.3" is not an IP address`},
		{name: "v6 in v4 pool", v: allocator.IPv4, in: "fd00::1", wantErr: `"fd00::1" is not an IPv4 address`},
		{name: "v4 in v6 pool", v: allocator.IPv6, in: "10.6.0.1", wantErr: "expected an IPv6 address like"},
		{name: "mixed", v: allocator.IPv4, in: "10.6.0.1-fd00::1", wantErr: "not an IPv4 address"},
		{name: "mapped", v: allocator.IPv6, in: "::ffff:10.6.0.1", wantErr: "IPv4-mapped"},
		{name: "zone", v: allocator.IPv6, in: "fe80::1%eth0", wantErr: "has a zone"},
		{name: "leading zero", v: allocator.IPv4, in: "10.6.0.010", wantErr: "not an IP address"},
		{name: "cidr", v: allocator.IPv4, in: "10.6.0.0/24", wantErr: "not an IP address"},
		{name: "trailing dash", v: allocator.IPv4, in: "10.6.0.1-", wantErr: `"" is not an IP address`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := allocator.ParseRange(tc.v, tc.in)
			if tc.wantErr != "" {
				if err == nil || !errors.Is(err, allocator.ErrInvalidRange) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseRange(%q) error = %v, want ErrInvalidRange containing %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRange(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("ParseRange(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestParseRangeBadVersion(t *testing.T) {
	if _, err := allocator.ParseRange(5, "10.0.0.1"); !errors.Is(err, allocator.ErrInvalidVersion) {
		t.Errorf("err = %v, want ErrInvalidVersion", err)
	}
}

func TestParseRangesReportsEveryBadEntry(t *testing.T) {
	_, err := allocator.ParseRanges(allocator.IPv4, []string{"10.0.0.1", "bad", "10.0.0.3", "10.0.0.9-10.0.0.2"})
	if !errors.Is(err, allocator.ErrInvalidRange) {
		t.Fatalf("err = %v, want ErrInvalidRange", err)
	}
	for _, want := range []string{"entry 1:", `"bad"`, "entry 3:", "10.0.0.9-10.0.0.2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestMergeRanges(t *testing.T) {
	tests := []struct {
		name string
		v    allocator.IPVersion
		in   []string
		want []string
	}{
		{name: "empty", v: allocator.IPv4, in: nil, want: nil},
		{name: "sorts and dedups", v: allocator.IPv4, in: []string{"10.0.0.5", "10.0.0.1", "10.0.0.5"}, want: []string{"10.0.0.1", "10.0.0.5"}},
		{name: "joins adjacent", v: allocator.IPv4, in: []string{"10.0.0.1-10.0.0.3", "10.0.0.4", "10.0.0.5-10.0.0.9"}, want: []string{"10.0.0.1-10.0.0.9"}},
		{name: "overlap", v: allocator.IPv4, in: []string{"10.0.0.5-10.0.0.20", "10.0.0.1-10.0.0.10"}, want: []string{"10.0.0.1-10.0.0.20"}},
		{name: "two addresses stay a range", v: allocator.IPv4, in: []string{"10.0.0.2", "10.0.0.1"}, want: []string{"10.0.0.1-10.0.0.2"}},
		{name: "collapses one-address range", v: allocator.IPv4, in: []string{"10.0.0.1-10.0.0.1"}, want: []string{"10.0.0.1"}},
		{name: "edges", v: allocator.IPv4, in: []string{"255.255.255.255", "0.0.0.0", "255.255.255.254"}, want: []string{"0.0.0.0", "255.255.255.254-255.255.255.255"}},
		{name: "v6 canonical text", v: allocator.IPv6, in: []string{"FD00:0::0010-fd00::0020", "fd00::21"}, want: []string{"fd00::10-fd00::21"}},
		{name: "v6 across 64-bit boundary", v: allocator.IPv6, in: []string{"fd00::ffff:ffff:ffff:ffff", "fd00:0:0:1::"}, want: []string{"fd00::ffff:ffff:ffff:ffff-fd00:0:0:1::"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := allocator.MergeRanges(tc.v, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("MergeRanges(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestTotalIPCount(t *testing.T) {
	tests := []struct {
		name    string
		v       allocator.IPVersion
		ips     []string
		exclude []string
		want    int64
	}{
		{name: "empty ips", v: allocator.IPv4, want: 0},
		{name: "v4 /24 with network and broadcast", v: allocator.IPv4, ips: []string{"10.6.0.0-10.6.0.255"}, exclude: []string{"10.6.0.1"}, want: 255},
		{name: "exclude outside ips", v: allocator.IPv4, ips: []string{"10.6.0.10-10.6.0.19"}, exclude: []string{"10.7.0.0-10.7.0.255"}, want: 10},
		{name: "all of v4", v: allocator.IPv4, ips: []string{"0.0.0.0-255.255.255.255"}, want: 1 << 32},
		{name: "v6 /64 saturates", v: allocator.IPv6, ips: []string{"fd00::-fd00::ffff:ffff:ffff:ffff"}, want: math.MaxInt64},
		{name: "v6 2^63-1", v: allocator.IPv6, ips: []string{"fd00::1-fd00::7fff:ffff:ffff:ffff"}, want: math.MaxInt64},
		{name: "v6 2^62", v: allocator.IPv6, ips: []string{"fd00::-fd00::3fff:ffff:ffff:ffff"}, want: 1 << 62},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := allocator.TotalIPCount(tc.v, tc.ips, tc.exclude)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("TotalIPCount = %d, want %d", got, tc.want)
			}
		})
	}
	if _, err := allocator.TotalIPCount(allocator.IPv4, nil, []string{"x"}); err == nil || !strings.HasPrefix(err.Error(), "excludeIPs: entry 0:") {
		t.Errorf("bad excludeIPs error = %v", err)
	}
}

func TestPrefixRange(t *testing.T) {
	tests := map[string]string{
		"10.6.0.0/16":    "10.6.0.0-10.6.255.255",
		"10.6.7.8/32":    "10.6.7.8",
		"0.0.0.0/0":      "0.0.0.0-255.255.255.255",
		"fd00::/64":      "fd00::-fd00::ffff:ffff:ffff:ffff",
		"fd00:1:2::/48":  "fd00:1:2::-fd00:1:2:ffff:ffff:ffff:ffff:ffff",
		"::/0":           "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"10.6.0.77/24":   "10.6.0.0-10.6.0.255",
		"fd00::1/127":    "fd00::-fd00::1",
		"100.64.0.0/10":  "100.64.0.0-100.127.255.255",
		"fd00::8000/113": "fd00::8000-fd00::ffff",
	}
	for in, want := range tests {
		if got := allocator.PrefixRange(netip.MustParsePrefix(in)).String(); got != want {
			t.Errorf("PrefixRange(%s) = %s, want %s", in, got, want)
		}
	}
}
