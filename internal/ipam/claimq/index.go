// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq

import (
	"net/netip"
	"slices"
	"sync"

	toolscache "k8s.io/client-go/tools/cache"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/claims"
)

// Index keeps the claims of every pool by address and by holder, as the
// agent's watch of the claims delivers them: an allocation asks it about the
// addresses it tries instead of listing and converting every claim of the
// pool, so that its cost does not grow with the pool's records. Register it
// as an event handler of the SpiderIPClaim informer and pass the
// registration's HasSynced to SetSynced; until then the queues list the
// claims from Deps.Claims.
type Index struct {
	mu     sync.RWMutex
	pools  map[string]*claimSet
	synced func() bool
}

// NewIndex returns an empty Index.
func NewIndex() *Index {
	return &Index{pools: map[string]*claimSet{}}
}

// SetSynced sets the function that reports whether the informer has
// delivered its initial list to the Index.
func (x *Index) SetSynced(synced func() bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.synced = synced
}

// OnAdd implements cache.ResourceEventHandler.
func (x *Index) OnAdd(obj any, _ bool) { x.put(obj) }

// OnUpdate implements cache.ResourceEventHandler. A claim's pool and
// address never change (its name is made of them), its holder may.
func (x *Index) OnUpdate(_, obj any) { x.put(obj) }

// OnDelete implements cache.ResourceEventHandler.
func (x *Index) OnDelete(obj any) {
	if tomb, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	o, ok := obj.(*ipamclaimsv1alpha1.SpiderIPClaim)
	if !ok {
		return
	}
	c, err := claims.Of(o)
	if err != nil {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if p := x.pools[o.Spec.Pool]; p != nil {
		p.remove(c.IP)
		if p.count() == 0 {
			delete(x.pools, o.Spec.Pool)
		}
	}
}

func (x *Index) put(obj any) {
	o, ok := obj.(*ipamclaimsv1alpha1.SpiderIPClaim)
	if !ok {
		return
	}
	c, err := claims.Of(o)
	if err != nil {
		return // a claim whose address does not parse holds nothing usable
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	p := x.pools[o.Spec.Pool]
	if p == nil {
		p = newClaimSet()
		x.pools[o.Spec.Pool] = p
	}
	p.add(c)
}

// pool returns the view of pool's claims, or false until the informer has
// synced.
func (x *Index) pool(name string) (claimView, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.synced == nil || !x.synced() {
		return nil, false
	}
	return indexedPool{x: x, name: name}, true
}

// claimView is what an allocation asks of a pool's claims.
type claimView interface {
	// claimed reports whether a holds a claim.
	claimed(a netip.Addr) bool
	// skip returns the lowest address at or after a without a claim
	// (claims.Taken.Skip).
	skip(a netip.Addr) (netip.Addr, bool)
	// heldBy returns the lowest address claimed for uid not in avoid.
	heldBy(uid string, avoid map[netip.Addr]bool) (netip.Addr, bool)
	// count is the number of claims.
	count() int
}

// indexedPool is one pool of an Index; each question takes the Index's
// read lock, so it sees the claims of the moment.
type indexedPool struct {
	x    *Index
	name string
}

func (v indexedPool) claimed(a netip.Addr) bool {
	v.x.mu.RLock()
	defer v.x.mu.RUnlock()
	return v.x.pools[v.name].claimed(a)
}

func (v indexedPool) skip(a netip.Addr) (netip.Addr, bool) {
	v.x.mu.RLock()
	defer v.x.mu.RUnlock()
	return v.x.pools[v.name].skip(a)
}

func (v indexedPool) heldBy(uid string, avoid map[netip.Addr]bool) (netip.Addr, bool) {
	v.x.mu.RLock()
	defer v.x.mu.RUnlock()
	return v.x.pools[v.name].heldBy(uid, avoid)
}

func (v indexedPool) count() int {
	v.x.mu.RLock()
	defer v.x.mu.RUnlock()
	return v.x.pools[v.name].count()
}

// claimSet are one pool's claims by address, by holder and as runs of
// claimed addresses per family. A nil *claimSet holds none.
type claimSet struct {
	byAddr   map[netip.Addr]claims.Claim
	byUID    map[string][]netip.Addr
	v4s, v6s *allocator.Set
}

func newClaimSet() *claimSet {
	return &claimSet{byAddr: map[netip.Addr]claims.Claim{}, byUID: map[string][]netip.Addr{},
		v4s: allocator.NewSet(allocator.IPv4), v6s: allocator.NewSet(allocator.IPv6)}
}

// runs returns the runs of a's family.
func (p *claimSet) runs(a netip.Addr) *allocator.Set {
	if a.Is4() {
		return p.v4s
	}
	return p.v6s
}

// snapshot returns the claimSet of a list of claims.
func snapshot(held []claims.Claim) *claimSet {
	p := newClaimSet()
	for _, c := range held {
		p.add(c)
	}
	return p
}

func (p *claimSet) add(c claims.Claim) {
	p.remove(c.IP)
	p.byAddr[c.IP] = c
	p.byUID[c.UID] = append(p.byUID[c.UID], c.IP)
	_ = p.runs(c.IP).Add(allocator.Range{First: c.IP, Last: c.IP}) // of the set's family
}

func (p *claimSet) remove(a netip.Addr) {
	old, ok := p.byAddr[a]
	if !ok {
		return
	}
	delete(p.byAddr, a)
	_ = p.runs(a).Remove(allocator.Range{First: a, Last: a}) // of the set's family
	rest := slices.DeleteFunc(p.byUID[old.UID], func(b netip.Addr) bool { return b == a })
	if len(rest) == 0 {
		delete(p.byUID, old.UID)
	} else {
		p.byUID[old.UID] = rest
	}
}

func (p *claimSet) claimed(a netip.Addr) bool {
	if p == nil {
		return false
	}
	_, ok := p.byAddr[a]
	return ok
}

func (p *claimSet) skip(a netip.Addr) (netip.Addr, bool) {
	if p == nil {
		return a, true
	}
	return p.runs(a).NextNonMember(a)
}

func (p *claimSet) heldBy(uid string, avoid map[netip.Addr]bool) (netip.Addr, bool) {
	if p == nil {
		return netip.Addr{}, false
	}
	var best netip.Addr
	for _, a := range p.byUID[uid] {
		if !avoid[a] && (!best.IsValid() || a.Less(best)) {
			best = a
		}
	}
	return best, best.IsValid()
}

func (p *claimSet) count() int {
	if p == nil {
		return 0
	}
	return len(p.byAddr)
}
