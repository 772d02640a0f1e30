// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolq

import (
	"maps"
	"net/netip"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/quarantine"
)

// withQuarantine adds the addresses the pool keeps in quarantine (another
// host answered for them) to avoid, so that no pod gets them.
func withQuarantine(avoid map[netip.Addr]bool, pool *spiderpoolv2beta1.SpiderIPPool) map[netip.Addr]bool {
	q := quarantine.Addrs(pool)
	if len(q) == 0 {
		return avoid
	}
	out := make(map[netip.Addr]bool, len(avoid)+len(q))
	maps.Copy(out, avoid)
	maps.Copy(out, q)
	return out
}
