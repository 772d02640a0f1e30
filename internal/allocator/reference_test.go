// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator_test

import (
	"net/netip"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// window is a small run of consecutive addresses that the naive reference
// models use as their whole address space: member i is base+i.
type window struct {
	v     allocator.IPVersion
	addrs []netip.Addr
}

// windowBases put the windows at the family edges and across the 64-bit
// boundary, where the 128-bit arithmetic can go wrong.
func windowBases() []string {
	return []string{
		"0.0.0.0", "10.6.0.0", "255.255.255.0",
		"::", "fd00::ffff:ffff:ffff:ff80", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00",
	}
}

func newWindow(base string, n int) window {
	a := netip.MustParseAddr(base)
	w := window{v: allocator.VersionOf(a)}
	for range n {
		w.addrs = append(w.addrs, a)
		a = a.Next()
	}
	return w
}

func (w window) rng(i, j int) allocator.Range {
	if j < i {
		i, j = j, i
	}
	return allocator.Range{First: w.addrs[i], Last: w.addrs[j]}
}

// runs formats the members of ref as Spiderpool range strings: the naive
// version of Set.Strings.
func (w window) runs(ref []bool) []string {
	var out []string
	for i := 0; i < len(ref); i++ {
		if !ref[i] {
			continue
		}
		j := i
		for j+1 < len(ref) && ref[j+1] {
			j++
		}
		out = append(out, w.rng(i, j).String())
		i = j
	}
	return out
}

// naiveNext scans ref from i, wrapping around once; -1 if it holds nothing.
func naiveNext(ref []bool, i int) int {
	for k := range len(ref) {
		if j := (i + k) % len(ref); ref[j] {
			return j
		}
	}
	return -1
}
