// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package allocator_test

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// poolModel is the naive reference for a Pool over a window of 80 addresses
// whose first 64 are the pool's ips.
type poolModel struct {
	w         window
	usable    []bool
	allocated []bool
}

const (
	modelIPs  = 64
	modelSize = 80
)

// newPoolModel derives excluded/reserved and restored addresses from two
// 64-bit masks and returns the model with a restored Pool.
func newPoolModel(t *testing.T, base string, exclude, restore uint64) (*poolModel, *allocator.Pool) {
	t.Helper()
	m := &poolModel{w: newWindow(base, modelSize), usable: make([]bool, modelSize), allocated: make([]bool, modelSize)}
	var excluded []string
	for i := range modelIPs {
		m.usable[i] = exclude&(1<<i) == 0
		if !m.usable[i] {
			excluded = append(excluded, m.w.addrs[i].String())
		}
	}
	// Restore marks addresses inside and outside usable (j reaches 78).
	var restored []netip.Addr
	for i := range 64 {
		if restore&(1<<i) != 0 {
			j := (i * 5 / 4) % modelSize
			m.allocated[j] = true
			restored = append(restored, m.w.addrs[j])
		}
	}
	half := len(excluded) / 2
	p, err := allocator.NewPool(allocator.PoolSpec{
		Version:     m.w.v,
		IPs:         []string{m.w.rng(0, modelIPs-1).String()},
		ExcludeIPs:  excluded[:half],
		ReservedIPs: excluded[half:],
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Restore(restored); err != nil {
		t.Fatal(err)
	}
	return m, p
}

func (m *poolModel) free() []bool {
	return zipBools(m.usable, m.allocated, func(u, a bool) bool { return u && !a })
}

// step applies one operation to the pool and the model and compares them.
func (m *poolModel) step(t *testing.T, p *allocator.Pool, op, arg byte) {
	t.Helper()
	i := int(arg) % modelSize
	a := m.w.addrs[i]
	switch op % 4 {
	case 0:
		m.checkAllocate(t, p, i)
	case 1:
		if err := p.Release(a); err != nil {
			t.Fatalf("Release(%s): %v", a, err)
		}
		m.allocated[i] = false
	case 2, 3:
		m.checkAllocateNext(t, p, i, op%4 == 3)
	}
	m.checkCounts(t, p)
}

func (m *poolModel) checkAllocate(t *testing.T, p *allocator.Pool, i int) {
	t.Helper()
	err := p.Allocate(m.w.addrs[i])
	switch {
	case m.allocated[i]:
		if !errors.Is(err, allocator.ErrAlreadyAllocated) {
			t.Fatalf("Allocate(%s) of an allocated address: %v", m.w.addrs[i], err)
		}
	case !m.usable[i]:
		if !errors.Is(err, allocator.ErrNotInPool) {
			t.Fatalf("Allocate(%s) of an unusable address: %v", m.w.addrs[i], err)
		}
	case err != nil:
		t.Fatalf("Allocate(%s): %v", m.w.addrs[i], err)
	default:
		m.allocated[i] = true
	}
}

// checkAllocateNext compares NextFree(hint) with a naive wrapping scan, and
// with allocate also takes the address, which must not be allocated yet.
func (m *poolModel) checkAllocateNext(t *testing.T, p *allocator.Pool, hint int, allocate bool) {
	t.Helper()
	want := naiveNext(m.free(), hint)
	var got netip.Addr
	var err error
	if allocate {
		got, err = p.AllocateNext(m.w.addrs[hint])
	} else {
		got, err = p.NextFree(m.w.addrs[hint])
	}
	if want < 0 {
		if !errors.Is(err, allocator.ErrExhausted) {
			t.Fatalf("NextFree(%s) on a full pool = %v, %v", m.w.addrs[hint], got, err)
		}
		return
	}
	if err != nil || got != m.w.addrs[want] {
		t.Fatalf("NextFree(%s) = %v, %v; want %s", m.w.addrs[hint], got, err, m.w.addrs[want])
	}
	if allocate {
		if m.allocated[want] {
			t.Fatalf("handed out %s twice", got)
		}
		m.allocated[want] = true
	}
}

func (m *poolModel) checkCounts(t *testing.T, p *allocator.Pool) {
	t.Helper()
	var free, allocated int64
	for i := range modelSize {
		if m.allocated[i] {
			allocated++
		} else if m.usable[i] {
			free++
		}
		if got, err := p.IsAllocated(m.w.addrs[i]); err != nil || got != m.allocated[i] {
			t.Fatalf("IsAllocated(%s) = %v, %v", m.w.addrs[i], got, err)
		}
	}
	gotFree, err1 := p.Free()
	gotAllocated, err2 := p.Allocated()
	if err := errors.Join(err1, err2); err != nil || gotFree != free || gotAllocated != allocated {
		t.Fatalf("Free, Allocated = %d, %d (%v); want %d, %d", gotFree, gotAllocated, err, free, allocated)
	}
}

// FuzzPool runs Allocate/Release/NextFree/AllocateNext sequences against the
// naive model.
func FuzzPool(f *testing.F) {
	f.Add(uint8(1), uint64(0b1010), uint64(0b11), []byte{2, 0, 2, 0, 0, 5, 1, 0, 3, 63, 3, 70})
	f.Add(uint8(4), uint64(0), uint64(0), []byte{3, 0, 3, 0, 3, 0, 1, 1, 2, 79})
	f.Add(uint8(5), ^uint64(0), uint64(1), []byte{0, 1, 2, 3})
	f.Fuzz(func(t *testing.T, baseIdx uint8, exclude, restore uint64, ops []byte) {
		bases := windowBases()
		m, p := newPoolModel(t, bases[int(baseIdx)%len(bases)], exclude, restore)
		m.checkCounts(t, p)
		for ; len(ops) >= 2; ops = ops[2:] {
			m.step(t, p, ops[0], ops[1])
		}
	})
}

// TestPoolRandomOps is the property test: long pseudo-random sequences on
// every window never hand out an address twice and match the naive scan.
func TestPoolRandomOps(t *testing.T) {
	for seed := range uint64(6) {
		for _, base := range windowBases() {
			r := rand.New(rand.NewPCG(seed, 42))
			m, p := newPoolModel(t, base, r.Uint64()&r.Uint64(), r.Uint64()&r.Uint64())
			for range 2000 {
				// Bias towards allocation so pools fill up and wrap.
				m.step(t, p, byte(r.IntN(6)%4), byte(r.IntN(256)))
			}
		}
	}
}
