// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq

import (
	"net/netip"
	"sync"

	"k8s.io/apimachinery/pkg/types"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
)

// decoded is a pool as an allocation needs it: its spec decoded, and the
// addresses its status records that no claim may hold yet.
type decoded struct {
	poolq.Decoded
	// unclaimed are the addresses of status.allocatedIPs when someone else
	// than the projector wrote it (Spiderpool, before adoption): their
	// records are taken until claims hold them. Empty when the status is the
	// projector's own: each of its records is a claim's, or a released one.
	unclaimed map[netip.Addr]bool
}

// decodeKey identifies what a decoded pool was decoded from.
type decodeKey struct {
	uid             types.UID
	resourceVersion string
	reserved        string
}

// decodeCache keeps the last decoded read of each pool, so that a pool is
// decoded once per change rather than once per allocation: its status holds
// a record per allocated address.
type decodeCache struct {
	mu sync.Mutex
	m  map[string]decodeEntry
}

type decodeEntry struct {
	key decodeKey
	dec decoded
}

// decode returns pool decoded with reserved, from the cache when pool has
// not changed since.
func (c *decodeCache) decode(pool *spiderpoolv2beta1.SpiderIPPool, reserved poolq.Reserved) (decoded, error) {
	key := decodeKey{uid: pool.UID, resourceVersion: pool.ResourceVersion, reserved: reserved.Key()}
	c.mu.Lock()
	e, ok := c.m[pool.Name]
	c.mu.Unlock()
	if ok && key.resourceVersion != "" && e.key == key {
		return e.dec, nil
	}
	dec, err := decodePool(pool, reserved)
	if err != nil {
		return decoded{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]decodeEntry{}
	}
	c.m[pool.Name] = decodeEntry{key: key, dec: dec}
	return dec, nil
}

// forget drops the entry of a pool that is gone.
func (c *decodeCache) forget(pool string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, pool)
}

// decodePool decodes pool; its records only when the status is foreign
// (claims.ForeignStatus).
func decodePool(pool *spiderpoolv2beta1.SpiderIPPool, reserved poolq.Reserved) (decoded, error) {
	foreign := claims.ForeignStatus(pool)
	src := pool
	if !foreign {
		spec := *pool // shallow: Decode only reads
		spec.Status.AllocatedIPs = nil
		src = &spec
	}
	dec, err := poolq.Decode(src, reserved)
	if err != nil {
		return decoded{}, err
	}
	out := decoded{Decoded: dec, unclaimed: make(map[netip.Addr]bool, len(dec.Records))}
	for key := range dec.Records {
		if a, err := netip.ParseAddr(key); err == nil {
			out.unclaimed[a] = true
		}
	}
	return out, nil
}
