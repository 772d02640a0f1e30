// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolview

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Every allocation rewrites a pool's status, which holds all its records
// (about 100 KB at 1,000 records). An informer of whole pools would make
// every agent decode every write of every pool, although an agent needs a
// pool's records only when it writes that pool. So the agent's cache
// watches pools' metadata only, and View reads a pool whole from the
// API server when it needs more than the copy it holds:
//
//   - Specs (selection, on every ADD) reads a pool again only when its
//     UID or generation changed (spec changes; status writes leave the
//     generation alone), and gives labels, annotations, finalizers and
//     deletion from the watch;
//   - Latest (the pool queues, before writing a pool) reads it again
//     whenever the watch has a newer resourceVersion than the copy.
//
// The reads ask for "not older than the watched resourceVersion", which
// the API server answers from its watch cache, not from etcd.

// Kind is the kind of the pool metadata the cache watches.
var Kind = spiderpoolv2beta1.GroupVersion.WithKind("SpiderIPPool") //nolint:gochecknoglobals // a constant

// NewMeta returns an empty pool metadata object of the watched kind: the
// key of the agent's cache.Options.ByObject entry, and what it reads.
func NewMeta() *metav1.PartialObjectMetadata {
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(Kind)
	return m
}

// View is the agent's ipam.PoolReader. It is safe for concurrent use.
type View struct {
	// meta reads the cache of pool metadata, api the API server.
	meta, api client.Reader

	mu   sync.Mutex
	full map[string]*spiderpoolv2beta1.SpiderIPPool // by name, never modified

	// reads counts the requests that read pools from the API server.
	reads atomic.Uint64
}

// New returns a view reading pool metadata from meta (a cache watching
// NewMeta objects) and whole pools from api (the API server).
func New(meta, api client.Reader) *View {
	return &View{meta: meta, api: api, full: map[string]*spiderpoolv2beta1.SpiderIPPool{}}
}

// Reads returns how many requests read pools from the API server.
func (v *View) Reads() uint64 { return v.reads.Load() }

// Specs implements ipam.PoolReader.
func (v *View) Specs(ctx context.Context, sel labels.Selector) ([]*spiderpoolv2beta1.SpiderIPPool, error) {
	list := &metav1.PartialObjectMetadataList{}
	list.SetGroupVersionKind(spiderpoolv2beta1.GroupVersion.WithKind("SpiderIPPoolList"))
	opts := []client.ListOption{client.UnsafeDisableDeepCopy}
	if sel != nil {
		opts = append(opts, client.MatchingLabelsSelector{Selector: sel})
	}
	if err := v.meta.List(ctx, list, opts...); err != nil {
		return nil, err //nolint:wrapcheck // the callers wrap
	}
	if err := v.readStale(ctx, list.Items); err != nil {
		return nil, err
	}
	out := make([]*spiderpoolv2beta1.SpiderIPPool, 0, len(list.Items))
	for i := range list.Items {
		m := &list.Items[i]
		p := v.held(m.Name)
		if stale(p, m) {
			var err error
			if p, err = v.read(ctx, m.Name, m.ResourceVersion); apierrors.IsNotFound(err) {
				continue // deleted since the watch listed it
			} else if err != nil {
				return nil, err
			}
		}
		out = append(out, withMeta(p, m))
	}
	if sel == nil {
		v.forgetUnlisted(list.Items)
	}
	return out, nil
}

// stale reports whether the copy p cannot serve m's spec.
func stale(p *spiderpoolv2beta1.SpiderIPPool, m *metav1.PartialObjectMetadata) bool {
	return p == nil || p.UID != m.UID || p.Generation != m.Generation
}

// readStale reads, in one list, the pools of listed whose copy is stale
// when there are several (the first ADD after a start, a bulk change), so
// that hundreds of pools cost one request rather than one each; the list
// is not older than any listed version.
func (v *View) readStale(ctx context.Context, listed []metav1.PartialObjectMetadata) error {
	n, newest := 0, ""
	for i := range listed {
		if stale(v.held(listed[i].Name), &listed[i]) {
			n++
		}
		if newest == "" || newerVersion(listed[i].ResourceVersion, newest) {
			newest = listed[i].ResourceVersion
		}
	}
	if n < 2 {
		return nil
	}
	var pools spiderpoolv2beta1.SpiderIPPoolList
	v.reads.Add(1)
	raw := &metav1.ListOptions{ResourceVersion: newest, ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan}
	if err := v.api.List(ctx, &pools, &client.ListOptions{Raw: raw}); err != nil {
		return err //nolint:wrapcheck // the callers wrap
	}
	for i := range pools.Items {
		v.keep(&pools.Items[i])
	}
	return nil
}

// Latest implements ipam.PoolReader.
func (v *View) Latest(ctx context.Context, name string) (*spiderpoolv2beta1.SpiderIPPool, error) {
	m := NewMeta()
	if err := v.meta.Get(ctx, client.ObjectKey{Name: name}, m); err != nil {
		return nil, err //nolint:wrapcheck // the callers wrap
	}
	if p := v.held(name); p != nil && p.UID == m.UID && !newerVersion(m.ResourceVersion, p.ResourceVersion) {
		return p, nil
	}
	return v.read(ctx, name, m.ResourceVersion)
}

// Current returns pool name as the watch's metadata has it now, with the
// spec and status of the last whole read when that read's UID and
// generation are still the watch's and keep, given the watch's metadata,
// says its status is still good enough. Otherwise it reads the pool whole,
// as Latest does. The copy returned carries the watch's resourceVersion,
// labels, annotations, finalizers, deletion and managedFields: it is for
// reading, never for a write conditional on its version.
func (v *View) Current(ctx context.Context, name string, keep func(*metav1.PartialObjectMetadata) bool) (*spiderpoolv2beta1.SpiderIPPool, error) {
	m := NewMeta()
	if err := v.meta.Get(ctx, client.ObjectKey{Name: name}, m); err != nil {
		return nil, err //nolint:wrapcheck // the callers wrap
	}
	p := v.held(name)
	if p == nil || stale(p, m) || (newerVersion(m.ResourceVersion, p.ResourceVersion) && !keep(m)) {
		var err error
		if p, err = v.read(ctx, name, m.ResourceVersion); err != nil {
			return nil, err
		}
	}
	c := withMeta(p, m)
	if c == p {
		return p, nil
	}
	c.ResourceVersion, c.ManagedFields = m.ResourceVersion, m.ManagedFields
	return c, nil
}

func (v *View) held(name string) *spiderpoolv2beta1.SpiderIPPool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.full[name]
}

// read reads pool name from the API server, not older than rv, and keeps
// it unless a newer copy of the same object arrived meanwhile.
func (v *View) read(ctx context.Context, name, rv string) (*spiderpoolv2beta1.SpiderIPPool, error) {
	p := &spiderpoolv2beta1.SpiderIPPool{}
	v.reads.Add(1)
	err := v.api.Get(ctx, client.ObjectKey{Name: name}, p, &client.GetOptions{Raw: &metav1.GetOptions{ResourceVersion: rv}})
	if err != nil {
		return nil, err //nolint:wrapcheck // the callers wrap
	}
	return v.keep(p), nil
}

// keep stores p unless a newer copy of the same object is held, and
// returns the copy held.
func (v *View) keep(p *spiderpoolv2beta1.SpiderIPPool) *spiderpoolv2beta1.SpiderIPPool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if cur := v.full[p.Name]; cur != nil && cur.UID == p.UID && !newerVersion(p.ResourceVersion, cur.ResourceVersion) {
		return cur
	}
	v.full[p.Name] = p
	return p
}

// forgetUnlisted drops the copies of pools the watch no longer lists.
func (v *View) forgetUnlisted(listed []metav1.PartialObjectMetadata) {
	names := make(map[string]bool, len(listed))
	for i := range listed {
		names[listed[i].Name] = true
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for name := range v.full {
		if !names[name] {
			delete(v.full, name)
		}
	}
}

// withMeta returns p with the labels, annotations, finalizers and deletion
// of m, the watch's newer metadata of the same object; p itself when it is
// as recent. The resourceVersion stays p's: it is the version of p's
// status.
func withMeta(p *spiderpoolv2beta1.SpiderIPPool, m *metav1.PartialObjectMetadata) *spiderpoolv2beta1.SpiderIPPool {
	if m.ResourceVersion == p.ResourceVersion {
		return p
	}
	c := *p
	c.Labels, c.Annotations, c.Finalizers = m.Labels, m.Annotations, m.Finalizers
	c.DeletionTimestamp, c.DeletionGracePeriodSeconds = m.DeletionTimestamp, m.DeletionGracePeriodSeconds
	return &c
}

// newerVersion reports whether resourceVersion a is newer than b; versions
// that are not integers (not etcd3 storage) are never newer, and a
// differing one then reads the pool again.
func newerVersion(a, b string) bool {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	if errA != nil || errB != nil {
		return a != b
	}
	return x > y
}
