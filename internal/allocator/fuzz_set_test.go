// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// FuzzIntervalSet drives two sets with Add, Remove, Union, Subtract and swap
// over a 256-address window and checks every query against []bool models.
func FuzzIntervalSet(f *testing.F) {
	f.Add([]byte{0, 0, 1, 9, 0, 5, 200, 2, 3, 4, 4, 0, 0, 1, 250, 255})
	f.Add([]byte{4, 0, 0, 255, 1, 128, 128, 2, 0, 7, 5, 0, 0, 6, 0, 0, 3, 1, 1})
	f.Add([]byte{5, 0, 250, 255, 2, 0, 3, 4, 0, 0, 1, 255, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		bases := windowBases()
		w := newWindow(bases[int(data[0])%len(bases)], 256)
		a, b := allocator.NewSet(w.v), allocator.NewSet(w.v)
		refA, refB := make([]bool, 256), make([]bool, 256)
		for ops := data[1:]; len(ops) >= 3; ops = ops[3:] {
			a, b, refA, refB = applySetOp(t, w, ops, a, b, refA, refB)
			checkSet(t, w, a, refA)
			checkSet(t, w, b, refB)
			if want := overlapsNaive(refA, refB); a.Overlaps(b) != want || b.Overlaps(a) != want {
				t.Fatalf("Overlaps = %v, want %v", a.Overlaps(b), want)
			}
		}
	})
}

func applySetOp(t *testing.T, w window, op []byte, a, b *allocator.Set, refA, refB []bool) (*allocator.Set, *allocator.Set, []bool, []bool) {
	t.Helper()
	lo, hi := int(min(op[1], op[2])), int(max(op[1], op[2]))
	var err error
	switch op[0] % 7 {
	case 0:
		err = a.Add(w.rng(lo, hi))
		fill(refA, lo, hi, true)
	case 1:
		err = a.Remove(w.rng(lo, hi))
		fill(refA, lo, hi, false)
	case 2:
		err = b.Add(w.rng(lo, hi))
		fill(refB, lo, hi, true)
	case 3:
		err = b.Remove(w.rng(lo, hi))
		fill(refB, lo, hi, false)
	case 4:
		a, err = a.Union(b)
		refA = zipBools(refA, refB, func(x, y bool) bool { return x || y })
	case 5:
		a = a.Subtract(b)
		refA = zipBools(refA, refB, func(x, y bool) bool { return x && !y })
	case 6:
		a, b, refA, refB = b.Clone(), a, slices.Clone(refB), refA
	}
	if err != nil {
		t.Fatalf("op %v: %v", op, err)
	}
	return a, b, refA, refB
}

func fill(ref []bool, lo, hi int, v bool) {
	for i := lo; i <= hi; i++ {
		ref[i] = v
	}
}

func zipBools(x, y []bool, f func(a, b bool) bool) []bool {
	out := make([]bool, len(x))
	for i := range x {
		out[i] = f(x[i], y[i])
	}
	return out
}

func overlapsNaive(x, y []bool) bool {
	for i := range x {
		if x[i] && y[i] {
			return true
		}
	}
	return false
}

func checkSet(t *testing.T, w window, s *allocator.Set, ref []bool) {
	t.Helper()
	if diff := cmp.Diff(w.runs(ref), s.Strings()); diff != "" {
		t.Fatalf("Strings (-naive +set):\n%s", diff)
	}
	var members uint64
	for i, a := range w.addrs {
		if s.Contains(a) != ref[i] {
			t.Fatalf("Contains(%s) = %v", a, !ref[i])
		}
		if ref[i] {
			members++
		}
		got, ok := s.NextMember(a)
		want := naiveNextNoWrap(ref, i)
		if ok != (want >= 0) || (ok && got != w.addrs[want]) {
			t.Fatalf("NextMember(%s) = %v, %v; want index %d", a, got, ok, want)
		}
	}
	if n, exact := s.Count(); n != members || !exact || s.CountInt64() != int64(members) {
		t.Fatalf("Count = %d, %v; want %d", n, exact, members)
	}
}

func naiveNextNoWrap(ref []bool, i int) int {
	for j := i; j < len(ref); j++ {
		if ref[j] {
			return j
		}
	}
	return -1
}
