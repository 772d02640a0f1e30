// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolq

import (
	"fmt"
	"net/netip"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/quarantine"
)

// Decoded is what an allocation needs of a pool, decoded by the same rules
// as the queues': the addresses it offers, its records by canonical
// address, and the addresses it keeps in quarantine. The claim storage
// (internal/ipam/claimq) allocates from it.
type Decoded struct {
	// Info describes the pool for the result.
	Info Info
	// Usable is spec.ips minus excludeIPs and the reserved IPs.
	Usable *allocator.Set
	// Records are status.allocatedIPs, keyed by canonical address.
	Records spiderpoolv2beta1.PoolIPAllocations
	// Quarantined are the addresses another host answered for.
	Quarantined map[netip.Addr]bool
}

// Decode decodes pool for an allocation with reserved. A terminating pool
// is ErrNoPool; a spec or status that cannot be used is
// store.ErrBadRecord, each naming the pool.
func Decode(pool *spiderpoolv2beta1.SpiderIPPool, reserved Reserved) (Decoded, error) {
	if pool.DeletionTimestamp != nil {
		return Decoded{}, fmt.Errorf("%w: pool %s is terminating", ErrNoPool, pool.Name)
	}
	cache := &usableCache{}
	st, err := newPoolState(pool, reserved, cache)
	if err != nil {
		return Decoded{}, err
	}
	if st.specErr != nil {
		return Decoded{}, st.specErr
	}
	return Decoded{Info: st.info(), Usable: cache.set, Records: st.records, Quarantined: quarantine.Addrs(pool)}, nil
}
