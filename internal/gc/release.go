// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/store"
	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// poolAddr is one address of one pool, the address in canonical form.
type poolAddr struct {
	pool, ip string
}

// release frees a dead incarnation as the agent's CNI DEL would
// (docs/reference/behaviour.md §3.4 steps 7-8): every record of its UID in
// the pools its endpoint names and in those where a scan found one, then its
// endpoint. f is the fresh state it was judged on. An address that the
// endpoint of another UID claims is never freed.
func (c *collector) release(ctx context.Context, inc incarnation, f *facts, found []poolAddr) error {
	owned := f.owned(inc.UID)
	pools := map[string]bool{}
	for _, a := range found {
		pools[a.pool] = true
	}
	var claimed map[poolAddr]bool
	if f.ep != nil {
		for _, a := range endpointAddrs(f.ep) {
			if owned {
				pools[a.pool] = true
			} else {
				claimed = addTo(claimed, a)
			}
		}
	}
	removed, err := c.releaseRecords(ctx, inc, pools, claimed)
	if removed > 0 {
		c.metrics.released.Add(float64(removed))
		log.FromContext(ctx).Info("released IPs of a dead pod", "pod", inc.key(), "uid", inc.UID, "count", removed)
	}
	if err != nil || !owned {
		return err // an endpoint stays while records are left, so that a retry knows what to free
	}
	return c.retireEndpoint(ctx, inc, f, removed)
}

// retireEndpoint drops the incarnation's endpoint once its records are
// gone. One that held no record any more (Spiderpool's outdated endpoint)
// is dropped only with enableCleanOutdatedEndpoint, unless this GC itself
// released its records.
func (c *collector) retireEndpoint(ctx context.Context, inc incarnation, f *facts, removed int) error {
	if removed > 0 {
		c.dropping.add(f.ep.UID)
	}
	if !c.dropping.has(f.ep.UID) && !c.opts.EnableCleanOutdatedEndpoint {
		log.FromContext(ctx).V(1).Info("outdated endpoint kept: enableCleanOutdatedEndpoint is false",
			"endpoint", inc.key(), "uid", inc.UID)
		return nil
	}
	// Deleted too unless its owner reference to the pod lets Kubernetes
	// delete it with the pod (the pod still exists, terminating or
	// finished): as the agent does.
	del := f.static != workload.NotStatic || len(f.ep.OwnerReferences) == 0 || !f.samePod(inc.UID)
	if err := c.dropEndpoint(ctx, f.ep, inc.UID, del); err != nil {
		return err
	}
	c.dropping.remove(f.ep.UID)
	return nil
}

// dropEndpoint removes the finalizer of ep and deletes it when del is
// set, each write conditional on the resourceVersion read. A conflict is
// retried from a fresh read for as long as the endpoint still records uid.
func (c *collector) dropEndpoint(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint, uid string, del bool) error {
	for attempt := 0; ; attempt++ {
		err := c.dropEndpointOnce(ctx, ep, del)
		if !errors.Is(err, store.ErrConflict) && !apierrors.IsConflict(err) {
			return err
		}
		if werr := c.sleep(ctx, attempt, err); werr != nil {
			return werr
		}
		if ep, err = getEndpoint(ctx, c.api, ep.Namespace, ep.Name); err != nil || ep == nil {
			return err
		}
		if ep.Status.Current.UID != uid {
			return nil // a new incarnation owns it now
		}
	}
}

func (c *collector) dropEndpointOnce(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint, del bool) error {
	ctx, cancel := writeContext(ctx)
	defer cancel()
	cur := ep.DeepCopy()
	if slices.Contains(cur.Finalizers, spiderpoolv2beta1.SpiderFinalizer) {
		if err := c.store.RemoveEndpointFinalizer(ctx, cur); err != nil {
			return fmt.Errorf("remove finalizer of SpiderEndpoint %s/%s: %w", ep.Namespace, ep.Name, err)
		}
	}
	if !del {
		return nil
	}
	uid, rv := cur.UID, cur.ResourceVersion
	err := c.client.Delete(ctx, cur, client.Preconditions{UID: &uid, ResourceVersion: &rv})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete SpiderEndpoint %s/%s: %w", ep.Namespace, ep.Name, err)
	}
	return nil
}

// endpointAddrs lists the addresses an endpoint records, per pool.
func endpointAddrs(ep *spiderpoolv2beta1.SpiderEndpoint) []poolAddr {
	var out []poolAddr
	for _, d := range ep.Status.Current.IPs {
		if d.IPv4 != nil && d.IPv4Pool != nil {
			out = append(out, poolAddr{pool: *d.IPv4Pool, ip: canonicalIP(*d.IPv4)})
		}
		if d.IPv6 != nil && d.IPv6Pool != nil {
			out = append(out, poolAddr{pool: *d.IPv6Pool, ip: canonicalIP(*d.IPv6)})
		}
	}
	return out
}

// canonicalIP returns the address of "ip" or "ip/len" in netip's form, or
// s unchanged when it does not parse.
func canonicalIP(s string) string {
	addr, _, _ := strings.Cut(s, "/")
	if a, err := netip.ParseAddr(addr); err == nil {
		return a.String()
	}
	return s
}

func addTo(m map[poolAddr]bool, a poolAddr) map[poolAddr]bool {
	if m == nil {
		m = map[poolAddr]bool{}
	}
	m[a] = true
	return m
}
