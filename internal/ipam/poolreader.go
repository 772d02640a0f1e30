// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// PoolReader is how the service reads SpiderIPPools other than by a fresh
// read from the API server. The objects it returns are shared: never
// modify them.
//
// Selection needs every pool's spec, labels and annotations on each ADD,
// but records only of the pools it writes. So a PoolReader may keep the
// records it returns from Specs old, and only Latest must be as recent as
// the agent's watch of the pool: the agent watches pools' metadata only
// and reads a pool whole when it uses it (docs/ipam.md, "What an agent
// reads").
type PoolReader interface {
	// Specs returns the pools whose labels match sel (nil: every pool),
	// with their metadata and spec as recent as the watch and their
	// status possibly older.
	Specs(ctx context.Context, sel labels.Selector) ([]*spiderpoolv2beta1.SpiderIPPool, error)
	// Latest returns pool name, status included, at least as recent as
	// the watch; an error satisfying apierrors.IsNotFound when the watch
	// has no such pool.
	Latest(ctx context.Context, name string) (*spiderpoolv2beta1.SpiderIPPool, error)
}

// cachePools is the PoolReader of a cache that holds whole pools (an
// informer of SpiderIPPool): both reads are cache reads.
type cachePools struct{ c client.Reader }

// Specs implements PoolReader.
func (p cachePools) Specs(ctx context.Context, sel labels.Selector) ([]*spiderpoolv2beta1.SpiderIPPool, error) {
	var list spiderpoolv2beta1.SpiderIPPoolList
	opts := []client.ListOption{client.UnsafeDisableDeepCopy}
	if sel != nil {
		opts = append(opts, client.MatchingLabelsSelector{Selector: sel})
	}
	if err := p.c.List(ctx, &list, opts...); err != nil {
		return nil, err //nolint:wrapcheck // the callers wrap
	}
	out := make([]*spiderpoolv2beta1.SpiderIPPool, len(list.Items))
	for i := range list.Items {
		out[i] = &list.Items[i]
	}
	return out, nil
}

// Latest implements PoolReader.
func (p cachePools) Latest(ctx context.Context, name string) (*spiderpoolv2beta1.SpiderIPPool, error) {
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := p.c.Get(ctx, client.ObjectKey{Name: name}, pool, client.UnsafeDisableDeepCopy); err != nil {
		return nil, err //nolint:wrapcheck // the callers wrap
	}
	return pool, nil
}

// latestReader gives a PoolReader's Latest to the pool queues, which read
// the pool they write through client.Reader's Get (a copy).
type latestReader struct{ pools PoolReader }

var errPoolsOnly = errors.New("the pool queues' reader reads SpiderIPPools by name only")

// Get implements client.Reader for *SpiderIPPool.
func (r latestReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	pool, ok := obj.(*spiderpoolv2beta1.SpiderIPPool)
	if !ok {
		return fmt.Errorf("%w: not %T", errPoolsOnly, obj)
	}
	latest, err := r.pools.Latest(ctx, key.Name)
	if err != nil {
		return err
	}
	latest.DeepCopyInto(pool)
	return nil
}

// List implements client.Reader; the queues never list.
func (latestReader) List(context.Context, client.ObjectList, ...client.ListOption) error {
	return errPoolsOnly
}
