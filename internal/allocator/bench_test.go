// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// benchPrefixes are the pool sizes of BenchmarkNextFree.
func benchPrefixes() []string {
	return []string{"10.6.0.0/24", "10.0.0.0/16", "10.0.0.0/8", "fd00:1:2:3::/64", "fd00:1:2::/48"}
}

// benchPool returns a restored pool over all of prefix with n addresses
// allocated (at most size-1, so one stays free), either contiguous from the
// start or scattered pseudo-randomly over the first 2^32 addresses.
func benchPool(b *testing.B, prefix string, n int, scattered bool) *allocator.Pool {
	b.Helper()
	p := netip.MustParsePrefix(prefix)
	r := allocator.PrefixRange(p)
	v := allocator.VersionOf(p.Addr())
	if hostBits := p.Addr().BitLen() - p.Bits(); hostBits < 32 && n >= 1<<hostBits {
		n = 1<<hostBits - 1
	}
	pool, err := allocator.NewPool(allocator.PoolSpec{Version: v, IPs: []string{r.String()}})
	if err != nil {
		b.Fatal(err)
	}
	if err := pool.Restore(benchAddrs(p, n, scattered)); err != nil {
		b.Fatal(err)
	}
	return pool
}

func benchAddrs(p netip.Prefix, n int, scattered bool) []netip.Addr {
	span := uint64(1) << min(p.Addr().BitLen()-p.Bits(), 32)
	rnd := rand.New(rand.NewPCG(1, 2))
	seen := make(map[uint64]bool, n)
	out := make([]netip.Addr, 0, n)
	for i := uint64(0); len(out) < n; i++ {
		off := i
		if scattered {
			off = rnd.Uint64N(span)
		}
		if !seen[off] {
			seen[off] = true
			out = append(out, addOffset(p.Addr(), off))
		}
	}
	return out
}

func addOffset(a netip.Addr, off uint64) netip.Addr {
	b := a.AsSlice()
	for i := len(b) - 1; i >= 0 && off > 0; i-- {
		sum := uint64(b[i]) + off&0xff
		b[i] = byte(sum)
		off = off>>8 + sum>>8
	}
	out, _ := netip.AddrFromSlice(b)
	return out
}

// BenchmarkNextFree measures NextFree from the pool's first address (the
// lowest-free choice Spiderpool makes) by pool size, allocated count and
// layout. It should not depend on the pool size.
func BenchmarkNextFree(b *testing.B) {
	for _, prefix := range benchPrefixes() {
		for _, n := range []int{0, 5000, 20000} {
			for _, layout := range []string{"contiguous", "scattered"} {
				if n == 0 && layout == "scattered" {
					continue
				}
				name := fmt.Sprintf("pool=%s/allocated=%d/%s", benchName(prefix), n, layout)
				b.Run(name, func(b *testing.B) {
					pool := benchPool(b, prefix, n, layout == "scattered")
					hint := netip.MustParsePrefix(prefix).Addr()
					b.ReportAllocs()
					b.ResetTimer()
					for b.Loop() {
						if _, err := pool.NextFree(hint); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// benchName spells a prefix without '/', which would nest sub-benchmarks.
func benchName(prefix string) string {
	p := netip.MustParsePrefix(prefix)
	return fmt.Sprintf("v%d-len%d", allocator.VersionOf(p.Addr()), p.Bits())
}

// BenchmarkAllocateRelease measures taking the lowest free address and giving
// it back in a /8. With scattered allocations that splits and joins spans at
// the front of the sets: the worst case for the slice copy.
func BenchmarkAllocateRelease(b *testing.B) {
	for _, n := range []int{0, 5000, 20000} {
		for _, layout := range []string{"contiguous", "scattered"} {
			b.Run(fmt.Sprintf("allocated=%d/%s", n, layout), func(b *testing.B) {
				pool := benchPool(b, "10.0.0.0/8", n, layout == "scattered")
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					a, err := pool.AllocateNext(netip.Addr{})
					if err != nil {
						b.Fatal(err)
					}
					if err := pool.Release(a); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkRestore measures loading 5,000 scattered allocations (Spiderpool's
// per-pool cap) into a /16.
func BenchmarkRestore(b *testing.B) {
	p := netip.MustParsePrefix("10.0.0.0/16")
	addrs := benchAddrs(p, 5000, true)
	pool, err := allocator.NewPool(allocator.PoolSpec{Version: allocator.IPv4, IPs: []string{allocator.PrefixRange(p).String()}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := pool.Restore(addrs); err != nil {
			b.Fatal(err)
		}
	}
}
