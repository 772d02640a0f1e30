// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package quarantine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// DefaultQuiet is how long a quarantined address must have gone
// unanswered before its record is cleared, by an agent's re-probe or by
// `spiderpoolctl ip unquarantine` without --quiet.
const DefaultQuiet = 10 * time.Minute

// ErrNotQuarantined is returned by Remove for an address no pool holds in
// quarantine.
var ErrNotQuarantined = errors.New("address not quarantined")

// ErrStillAnswers is returned by Remove while the address answered a
// probe less than the quiet period ago.
var ErrStillAnswers = errors.New("address still answers")

// Store reads and writes the records on the SpiderIPPools.
type Store struct {
	// Client reads and updates SpiderIPPools.
	Client client.Client
}

// Entry is one quarantined address with its pool.
type Entry struct {
	Pool string
	IP   netip.Addr
	Record
}

// Add records ip in pool, or, when it is already there, notes the new
// answer (LastAnswer, MAC, Pod, Node) and keeps Since. Concurrent writers
// are serialised by the pool's resourceVersion.
func (s Store) Add(ctx context.Context, pool string, ip netip.Addr, rec Record) error {
	return s.update(ctx, pool, func(recs Records) bool {
		if old, ok := recs[ip]; ok && !old.Since.IsZero() {
			rec.Since = old.Since
		}
		recs[ip] = rec
		return true
	})
}

// Remove clears ip from the pool that holds it, unless its last answer is
// less than quiet before now.
func (s Store) Remove(ctx context.Context, ip netip.Addr, now time.Time, quiet time.Duration) (Entry, error) {
	entries, err := s.List(ctx)
	if err != nil {
		return Entry{}, err
	}
	i := slices.IndexFunc(entries, func(e Entry) bool { return e.IP == ip })
	if i < 0 {
		return Entry{}, fmt.Errorf("%w: no SpiderIPPool annotation %s lists %s", ErrNotQuarantined, Annotation, ip)
	}
	e := entries[i]
	if since := now.Sub(e.LastAnswer); since < quiet {
		return e, fmt.Errorf("%w: %s answered a probe %s ago (at %s, from MAC %s); wait until it has been quiet for %s, or take the host off the address",
			ErrStillAnswers, ip, since.Round(time.Second), e.LastAnswer.Format(time.RFC3339), e.MAC, quiet)
	}
	err = s.update(ctx, e.Pool, func(recs Records) bool {
		_, ok := recs[ip]
		delete(recs, ip)
		return ok
	})
	return e, err
}

// List returns every quarantined address of every pool, by pool and
// address. A pool whose annotation cannot be read is an error naming it.
func (s Store) List(ctx context.Context) ([]Entry, error) {
	var pools spiderpoolv2beta1.SpiderIPPoolList
	if err := s.Client.List(ctx, &pools); err != nil {
		return nil, fmt.Errorf("list SpiderIPPools: %w", err)
	}
	var out []Entry
	var errs []error
	for i := range pools.Items {
		recs, err := Of(&pools.Items[i])
		if err != nil {
			errs = append(errs, fmt.Errorf("SpiderIPPool %s: %w", pools.Items[i].Name, err))
			continue
		}
		for ip, r := range recs {
			out = append(out, Entry{Pool: pools.Items[i].Name, IP: ip, Record: r})
		}
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if a.Pool != b.Pool {
			return cmp.Compare(a.Pool, b.Pool)
		}
		return a.IP.Compare(b.IP)
	})
	return out, errors.Join(errs...)
}

// update applies change to the pool's records and writes them back when
// change reports a change, retrying on a write conflict.
func (s Store) update(ctx context.Context, name string, change func(Records) bool) error {
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		pool := &spiderpoolv2beta1.SpiderIPPool{}
		if err := s.Client.Get(ctx, client.ObjectKey{Name: name}, pool); err != nil {
			return err
		}
		recs, err := Of(pool)
		if err != nil {
			recs = Records{} // an unreadable annotation is replaced
		}
		if !change(recs) {
			return nil
		}
		if pool.Annotations == nil {
			pool.Annotations = map[string]string{}
		}
		if len(recs) == 0 {
			delete(pool.Annotations, Annotation)
		} else {
			pool.Annotations[Annotation] = recs.Format()
		}
		return s.Client.Update(ctx, pool)
	})
	if err != nil {
		return fmt.Errorf("update the quarantine of SpiderIPPool %s: %w", name, err)
	}
	return nil
}
