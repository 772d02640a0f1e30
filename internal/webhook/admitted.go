// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"context"
	"sync"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// admittedTTL is how long an admitted pool counts before the API server
// has stored it: far longer than the step from admission to storage.
const admittedTTL = 10 * time.Second

// admitted remembers the pools this webhook admitted in the last
// admittedTTL. Overlap checks list the stored pools, and a pool admitted a
// moment ago may not be stored yet: two overlapping pools created at the
// same time would both pass. Checking against the admitted pools too
// closes that window for the webhook replica that admitted both (the
// chart runs one controller replica by default). The zero value is ready.
type admitted struct {
	mu    sync.Mutex
	pools map[string]admittedPool // by name
	now   func() time.Time
}

type admittedPool struct {
	pool *spiderpoolv2beta1.SpiderIPPool
	at   time.Time
}

func (a *admitted) clock() time.Time {
	if a.now != nil {
		return a.now()
	}
	return time.Now()
}

// add records pool as admitted, unless the request is a dry run.
func (a *admitted) add(ctx context.Context, pool *spiderpoolv2beta1.SpiderIPPool) {
	if req, err := admission.RequestFromContext(ctx); err == nil && req.DryRun != nil && *req.DryRun {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pools == nil {
		a.pools = map[string]admittedPool{}
	}
	a.pools[pool.Name] = admittedPool{pool: pool.DeepCopy(), at: a.clock()}
}

// with returns stored followed by the admitted pools that are not stored
// yet (by name), and forgets those admitted more than admittedTTL ago.
func (a *admitted) with(stored []spiderpoolv2beta1.SpiderIPPool) []spiderpoolv2beta1.SpiderIPPool {
	a.mu.Lock()
	defer a.mu.Unlock()
	names := make(map[string]bool, len(stored))
	for i := range stored {
		names[stored[i].Name] = true
	}
	out := stored
	now := a.clock()
	for name, p := range a.pools {
		switch {
		case now.Sub(p.at) > admittedTTL:
			delete(a.pools, name)
		case !names[name]:
			out = append(out, *p.pool)
		}
	}
	return out
}
