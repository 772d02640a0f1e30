// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"sync"

	"k8s.io/apimachinery/pkg/types"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// recordMemo keeps the parsed records of the two versions of each pool
// read last, keyed by the pool's UID and resourceVersion, which name one
// content. One write of a pool is read by the holder index, by the update
// handler (the version before it, and it) and by the reconcile of every
// holder it added: with today's storage that was a parse of the whole
// status.allocatedIPs each, the larger part of the controller's CPU on a
// busy shared pool (docs/benchmarks.md). The maps it returns are shared:
// callers only read them.
type recordMemo struct {
	mu    sync.Mutex
	pools map[types.UID]*[2]parsedVersion
	// parse is spiderpoolv2beta1.ParseAllocatedIPs; tests count calls.
	parse func(*string) (spiderpoolv2beta1.PoolIPAllocations, error)
}

// parsedVersion is the outcome of parsing one version of a pool.
type parsedVersion struct {
	rv   string
	recs spiderpoolv2beta1.PoolIPAllocations
	err  error
}

func newRecordMemo() *recordMemo {
	return &recordMemo{pools: map[types.UID]*[2]parsedVersion{}, parse: spiderpoolv2beta1.ParseAllocatedIPs}
}

// of returns the records of pool, parsed once per version. A pool without
// a UID or resourceVersion (not read from an API server) is parsed every
// time.
func (m *recordMemo) of(pool *spiderpoolv2beta1.SpiderIPPool) (spiderpoolv2beta1.PoolIPAllocations, error) {
	uid, rv := pool.UID, pool.ResourceVersion
	if uid == "" || rv == "" {
		return m.parse(pool.Status.AllocatedIPs)
	}
	if v, ok := m.lookup(uid, rv); ok {
		return v.recs, v.err
	}
	recs, err := m.parse(pool.Status.AllocatedIPs)
	m.mu.Lock()
	defer m.mu.Unlock()
	slots := m.pools[uid]
	if slots == nil {
		slots = &[2]parsedVersion{}
		m.pools[uid] = slots
	}
	slots[0], slots[1] = slots[1], parsedVersion{rv: rv, recs: recs, err: err}
	return recs, err
}

// lookup finds version rv of pool uid and makes it the most recent one.
func (m *recordMemo) lookup(uid types.UID, rv string) (parsedVersion, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	slots := m.pools[uid]
	switch {
	case slots == nil:
		return parsedVersion{}, false
	case slots[1].rv == rv:
		return slots[1], true
	case slots[0].rv == rv:
		slots[0], slots[1] = slots[1], slots[0]
		return slots[1], true
	}
	return parsedVersion{}, false
}

// forget drops what is kept of a deleted pool.
func (m *recordMemo) forget(uid types.UID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.pools, uid)
}
