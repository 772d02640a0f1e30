// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolq

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"slices"
	"strconv"

	"k8s.io/apimachinery/pkg/types"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// poolState is one pool as this agent last read or wrote it: the object
// (whose resourceVersion is the optimistic lock of the next write), its
// decoded records, an index of records by pod UID, and an allocator that
// answers "lowest free address" in O(log n). A spec that cannot be used
// leaves no allocator and its reason in specErr: the pool releases (which
// needs only status.allocatedIPs) but does not allocate.
type poolState struct {
	pool    *spiderpoolv2beta1.SpiderIPPool
	version int64
	subnet  netip.Prefix
	gateway netip.Addr
	records spiderpoolv2beta1.PoolIPAllocations // keyed by canonical address
	byUID   map[string][]netip.Addr
	alloc   *allocator.Pool
	specErr error
	usable  usableKey
	// outOfSpec is set when the usable set offered an address outside the
	// spec: the cached set must not be used again.
	outOfSpec bool
}

// usableKey says what the allocator's usable set was computed from: the
// object (a pool deleted and re-created under the same name is another
// object, whose generation starts at 1 again), the content of the spec
// fields the set depends on, and the reserved IPs.
type usableKey struct {
	uid      types.UID
	spec     uint64
	reserved string
}

// usableCache keeps the last usable set computed for a pool, so that a
// re-read after a conflict does not reparse spec.ips when only the status
// changed.
type usableCache struct {
	key usableKey
	set *allocator.Set
}

// newPoolState decodes pool (which it keeps; the caller must not change it
// afterwards), reusing cache when it is still valid. It fails only when
// status.allocatedIPs cannot be decoded at all; a spec that cannot be used
// sets specErr.
func newPoolState(pool *spiderpoolv2beta1.SpiderIPPool, reserved Reserved, cache *usableCache) (*poolState, error) {
	st := &poolState{pool: pool, usable: usableKey{pool.UID, specHash(&pool.Spec), reserved.key}}
	st.specErr = st.parseSpec()
	addrs, err := st.parseRecords()
	if err != nil {
		return nil, err
	}
	if st.specErr == nil {
		st.specErr = st.newAllocator(reserved, cache, addrs)
	}
	return st, nil
}

// newAllocator builds st.alloc from the usable set, cached when still
// valid, and the recorded addresses.
func (st *poolState) newAllocator(reserved Reserved, cache *usableCache, addrs []netip.Addr) error {
	usable := cache.set
	if usable == nil || cache.key != st.usable {
		var err error
		if usable, err = st.usableSet(reserved); err != nil {
			return err
		}
		*cache = usableCache{key: st.usable, set: usable}
	}
	alloc := allocator.NewPoolFromSet(usable)
	if err := alloc.Restore(addrs); err != nil {
		return fmt.Errorf("%w: pool %s status.allocatedIPs: %w", store.ErrBadRecord, st.pool.Name, err)
	}
	st.alloc = alloc
	return nil
}

// specHash digests the spec fields a usable set is computed from.
func specHash(spec *spiderpoolv2beta1.IPPoolSpec) uint64 {
	h := fnv.New64a() // its Write never fails
	if spec.IPVersion != nil {
		_, _ = h.Write(strconv.AppendInt(nil, *spec.IPVersion, 10))
	}
	for _, list := range [][]string{spec.IPs, spec.ExcludeIPs} {
		_, _ = h.Write([]byte{0})
		for _, s := range list {
			_, _ = h.Write([]byte(s))
			_, _ = h.Write([]byte{','})
		}
	}
	return h.Sum64()
}

func (st *poolState) parseSpec() error {
	p := st.pool
	if p.Spec.IPVersion == nil {
		return fmt.Errorf("%w: pool %s has no spec.ipVersion", store.ErrBadRecord, p.Name)
	}
	st.version = *p.Spec.IPVersion
	subnet, err := netip.ParsePrefix(p.Spec.Subnet)
	if err != nil {
		return fmt.Errorf("%w: pool %s spec.subnet %q: %w", store.ErrBadRecord, p.Name, p.Spec.Subnet, err)
	}
	st.subnet = subnet
	if st.gateway, err = parseOptionalAddr(p.Spec.Gateway); err != nil {
		return fmt.Errorf("%w: pool %s spec.gateway: %w", store.ErrBadRecord, p.Name, err)
	}
	return nil
}

func (st *poolState) usableSet(reserved Reserved) (*allocator.Set, error) {
	spec := allocator.PoolSpec{
		Version:     allocator.IPVersion(st.version),
		IPs:         st.pool.Spec.IPs,
		ExcludeIPs:  st.pool.Spec.ExcludeIPs,
		ReservedIPs: reserved.of(st.version),
	}
	usable, err := spec.Usable()
	if err != nil {
		return nil, fmt.Errorf("%w: pool %s: %w", store.ErrBadRecord, st.pool.Name, err)
	}
	return usable, nil
}

// parseRecords decodes status.allocatedIPs, re-keying any address that is
// not in canonical form, and indexes the records by pod UID. A key that is
// no address of the pool's family is kept as written (and counted), but
// never handed out or released.
func (st *poolState) parseRecords() ([]netip.Addr, error) {
	raw, err := spiderpoolv2beta1.ParseAllocatedIPs(st.pool.Status.AllocatedIPs)
	if err != nil {
		return nil, fmt.Errorf("%w: pool %s: %w", store.ErrBadRecord, st.pool.Name, err)
	}
	st.records = make(spiderpoolv2beta1.PoolIPAllocations, len(raw))
	st.byUID = make(map[string][]netip.Addr, len(raw))
	addrs := make([]netip.Addr, 0, len(raw))
	for key, rec := range raw {
		a, ok := st.recordAddr(key)
		if !ok {
			st.records[key] = rec
			continue
		}
		st.records[a.String()] = rec
		st.byUID[rec.PodUID] = append(st.byUID[rec.PodUID], a)
		addrs = append(addrs, a)
	}
	return addrs, nil
}

// recordAddr parses a status.allocatedIPs key as an address of the pool's
// family (any family when the spec has none); an IPv4-mapped address in an
// IPv4 pool is its IPv4 address.
func (st *poolState) recordAddr(key string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(key)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	if st.version == spiderpoolv2beta1.IPv4 && a.Is4In6() {
		a = a.Unmap()
	}
	if st.version != 0 && allocator.VersionOf(a) != allocator.IPVersion(st.version) {
		return netip.Addr{}, false
	}
	return a, true
}

// setReserved recomputes the usable set when the reserved IPs changed. A
// set that cannot be computed stops allocations (specErr), not releases.
func (st *poolState) setReserved(reserved Reserved) {
	if st.usable.reserved == reserved.key || st.alloc == nil {
		return
	}
	st.usable.reserved = reserved.key
	usable, err := st.usableSet(reserved)
	if err == nil {
		err = st.alloc.SetUsable(usable)
	}
	if err != nil {
		st.specErr = err
	}
}

// checkInSpec guards against a usable set that is not this object's: an
// address to hand out must lie in spec.subnet and spec.ips, outside
// spec.excludeIPs, of the object the write is based on. On failure it marks
// st outOfSpec, so that the queue drops its cached usable set.
func (st *poolState) checkInSpec(a netip.Addr) error {
	spec := &st.pool.Spec
	v := allocator.IPVersion(st.version)
	if st.subnet.Contains(a) && rangesContain(v, spec.IPs, a) && !rangesContain(v, spec.ExcludeIPs, a) {
		return nil
	}
	st.outOfSpec = true
	return fmt.Errorf("%w: pool %s: %s is outside spec.subnet %s, spec.ips or inside spec.excludeIPs",
		store.ErrBadRecord, st.pool.Name, a, st.subnet)
}

// rangesContain reports whether one of the ranges ss contains a; entries
// that do not parse contain nothing.
func rangesContain(v allocator.IPVersion, ss []string, a netip.Addr) bool {
	for _, s := range ss {
		r, err := allocator.ParseRange(v, s)
		if err == nil && !a.Less(r.First) && !r.Last.Less(a) {
			return true
		}
	}
	return false
}

// addRecord records a for rec; a must already be allocated in st.alloc.
func (st *poolState) addRecord(a netip.Addr, rec spiderpoolv2beta1.PoolIPAllocation) {
	st.records[a.String()] = rec
	st.byUID[rec.PodUID] = append(st.byUID[rec.PodUID], a)
}

// removeRecord forgets the record of a and frees a.
func (st *poolState) removeRecord(a netip.Addr) error {
	rec, ok := st.records[a.String()]
	if !ok {
		return nil
	}
	delete(st.records, a.String())
	st.dropUID(rec.PodUID, a)
	if st.alloc == nil {
		return nil
	}
	return st.alloc.Release(a)
}

func (st *poolState) dropUID(uid string, a netip.Addr) {
	list := slices.DeleteFunc(st.byUID[uid], func(x netip.Addr) bool { return x == a })
	if len(list) == 0 {
		delete(st.byUID, uid)
		return
	}
	st.byUID[uid] = list
}

// info is what a result needs to know about the pool.
func (st *poolState) info() Info {
	return Info{Name: st.pool.Name, Subnet: st.subnet, Gateway: st.gateway, Routes: st.pool.Spec.Routes}
}

// Info describes the pool an address came from.
type Info struct {
	Name    string
	Subnet  netip.Prefix
	Gateway netip.Addr
	Routes  []spiderpoolv2beta1.Route
}

func parseOptionalAddr(s *string) (netip.Addr, error) {
	if s == nil || *s == "" {
		return netip.Addr{}, nil
	}
	return netip.ParseAddr(*s)
}
