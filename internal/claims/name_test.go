// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/claims"
)

func TestName(t *testing.T) {
	long := strings.Repeat("a", 250)
	tests := []struct {
		pool, addr, want string
	}{
		{"p1", "10.0.0.5", "p1.10-0-0-5"},
		{"p1", "fd00::5", "p1.fd00--5"},
		{"pool.with.dots", "10.0.0.5", "pool.with.dots.10-0-0-5"},
		{"p1", "::1", "p1.0--1"},
		{"p1", "::", "p1.0--0"},
		{"p1", "fd00::", "p1.fd00--0"},
		{"p1", "fd00:1:2:3:4:5:6:7", "p1.fd00-1-2-3-4-5-6-7"},
		{"p1", "FD00::A", "p1.fd00--a"},
		{"p1", "0.0.0.0", "p1.0-0-0-0"},
		{long, "10.0.0.5", claims.HashPool(long) + ".10-0-0-5"},
		{strings.Repeat("b", 244), "10.0.0.5", strings.Repeat("b", 244) + ".10-0-0-5"}, // exactly 253
		{strings.Repeat("b", 245), "10.0.0.5", claims.HashPool(strings.Repeat("b", 245)) + ".10-0-0-5"},
	}
	for _, tt := range tests {
		t.Run(tt.pool[:min(len(tt.pool), 20)]+"/"+tt.addr, func(t *testing.T) {
			a := netip.MustParseAddr(tt.addr)
			got, err := claims.Name(tt.pool, a)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("Name = %q, want %q", got, tt.want)
			}
			if len(got) > claims.MaxNameLength {
				t.Errorf("name of %d characters", len(got))
			}
			prefix, back, err := claims.ParseName(got)
			if err != nil || back != a.Unmap() || (prefix != tt.pool && prefix != claims.HashPool(tt.pool)) {
				t.Errorf("ParseName(%q) = %q, %v, %v", got, prefix, back, err)
			}
			if !claims.Matches(got, tt.pool, a) || claims.Matches(got, tt.pool+"x", a) {
				t.Errorf("Matches(%q) wrong", got)
			}
		})
	}
}

func TestNameRejects(t *testing.T) {
	tests := []struct {
		name, pool string
		addr       netip.Addr
		want       error
	}{
		{"empty pool", "", netip.MustParseAddr("10.0.0.5"), claims.ErrInvalidName},
		{"upper-case pool", "P1", netip.MustParseAddr("10.0.0.5"), claims.ErrInvalidName},
		{"zero address", "p1", netip.Addr{}, claims.ErrInvalidAddr},
		{"zone", "p1", netip.MustParseAddr("fe80::1%eth0"), claims.ErrInvalidAddr},
		{"IPv4-mapped", "p1", netip.MustParseAddr("::ffff:10.0.0.5"), claims.ErrInvalidAddr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := claims.Name(tt.pool, tt.addr); !errors.Is(err, tt.want) {
				t.Errorf("Name(%q, %v) error = %v, want %v", tt.pool, tt.addr, err, tt.want)
			}
		})
	}
}

func TestParseName(t *testing.T) {
	tests := []struct {
		name, prefix, addr string
		ok                 bool
	}{
		{"p1.10-0-0-5", "p1", "10.0.0.5", true},
		{"a.b.c.fd00--5", "a.b.c", "fd00::5", true},
		{"p1.0--1", "p1", "::1", true},
		{"p1", "", "", false},
		{".10-0-0-5", "", "", false},
		{"p1.", "", "", false},
		{"p1.10-0-0-05", "", "", false},          // not canonical
		{"p1.10-0-0-256", "", "", false},         // not an address
		{"p1.fd00-0-0-0-0-0-0-5", "", "", false}, // fd00::5 spelled long
		{"p1.--1", "", "", false},                // must be 0--1
		{"p1.fd00--", "", "", false},             // must be fd00--0
		{"p1.FD00--5", "", "", false},            // upper case
		{"p1.10.0.0.5", "", "", false},           // last part "5"
		{strings.Repeat("a", 250) + ".1-2-3-4", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name[:min(len(tt.name), 30)], func(t *testing.T) {
			prefix, a, err := claims.ParseName(tt.name)
			if !tt.ok {
				if !errors.Is(err, claims.ErrInvalidName) {
					t.Errorf("ParseName(%q) = %q, %v, %v; want ErrInvalidName", tt.name, prefix, a, err)
				}
				return
			}
			if err != nil || prefix != tt.prefix || a != netip.MustParseAddr(tt.addr) {
				t.Errorf("ParseName(%q) = %q, %v, %v; want %q, %s", tt.name, prefix, a, err, tt.prefix, tt.addr)
			}
		})
	}
}

func TestPoolLabelValue(t *testing.T) {
	short, long := strings.Repeat("p", 63), strings.Repeat("p", 64)
	if got := claims.PoolLabelValue(short); got != short {
		t.Errorf("PoolLabelValue(63 characters) = %q", got)
	}
	if got := claims.PoolLabelValue(long); got != claims.HashPool(long) || len(got) != 32 {
		t.Errorf("PoolLabelValue(64 characters) = %q", got)
	}
	if claims.HashPool("a") == claims.HashPool("b") {
		t.Error("HashPool collides")
	}
}
