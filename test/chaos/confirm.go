// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
)

// The cache can lag, and its relists deliver events out of order, so a
// suspect from a sample counts only once fresh reads from the API server
// show it still.

func (w *Watcher) suspect() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.suspects++
}

// freshPod reads the pod of p again; ok only if it is the same
// incarnation, still alive, and still shows ip.
func (w *Watcher) freshPod(ctx context.Context, p *corev1.Pod, ip string) (*corev1.Pod, bool) {
	f := &corev1.Pod{}
	if err := w.direct.Get(ctx, client.ObjectKeyFromObject(p), f); err != nil {
		return nil, false
	}
	return f, f.UID == p.UID && alive(f) && slices.Contains(podIPs(f), ip)
}

func (w *Watcher) confirmPods(ctx context.Context, ip string, a, b *corev1.Pod) {
	w.suspect()
	fa, okA := w.freshPod(ctx, a, ip)
	fb, okB := w.freshPod(ctx, b, ip)
	if okA && okB {
		w.finding(fmt.Sprintf("DUPLICATE pod IP %s: live pods %s/%s (uid %s, node %s) and %s/%s (uid %s, node %s)",
			ip, fa.Namespace, fa.Name, fa.UID, fa.Spec.NodeName, fb.Namespace, fb.Name, fb.UID, fb.Spec.NodeName))
	}
}

func (w *Watcher) confirmEndpoints(ctx context.Context, ip string, a, b *spiderpoolv2beta1.SpiderEndpoint) {
	w.suspect()
	for _, e := range []*spiderpoolv2beta1.SpiderEndpoint{a, b} {
		f := &spiderpoolv2beta1.SpiderEndpoint{}
		if err := w.direct.Get(ctx, client.ObjectKeyFromObject(e), f); err != nil ||
			f.Status.Current.UID != e.Status.Current.UID || !holds(f) || !slices.Contains(endpointIPs(f), ip) {
			return
		}
		p := &corev1.Pod{}
		if err := w.direct.Get(ctx, client.ObjectKeyFromObject(e), p); err != nil || string(p.UID) != f.Status.Current.UID || !alive(p) {
			return
		}
	}
	w.finding(fmt.Sprintf("DUPLICATE endpoint IP %s: SpiderEndpoints %s/%s (uid %s) and %s/%s (uid %s) of live pods",
		ip, a.Namespace, a.Name, a.Status.Current.UID, b.Namespace, b.Name, b.Status.Current.UID))
}

// confirmRecord checks that a running pod's ip is recorded for its UID.
func (w *Watcher) confirmRecord(ctx context.Context, ip string, p *corev1.Pod) {
	w.suspect()
	if f, ok := w.freshPod(ctx, p, ip); !ok || f.Status.Phase != corev1.PodRunning {
		return
	}
	pool := PoolV4
	if strings.Contains(ip, ":") {
		pool = PoolV6
	}
	recs, err := w.recordsOf(ctx, pool)
	if err != nil {
		return
	}
	if _, ok := w.freshPod(ctx, p, ip); !ok {
		return
	}
	if r, ok := recs[ip]; !ok || r.PodUID != string(p.UID) {
		w.finding(fmt.Sprintf("UNRECORDED: running pod %s/%s (uid %s, node %s) shows %s but pool %s records %+v",
			p.Namespace, p.Name, p.UID, p.Spec.NodeName, ip, pool, r))
	}
}

// recordsOf reads the records of pool from the API server: its status, or
// with the claim storage its claims.
func (w *Watcher) recordsOf(ctx context.Context, pool string) (spiderpoolv2beta1.PoolIPAllocations, error) {
	if w.claims {
		recs := spiderpoolv2beta1.PoolIPAllocations{}
		err := claimRecords(ctx, w.direct, recs, client.MatchingLabels{ipamclaimsv1alpha1.LabelPool: claims.PoolLabelValue(pool)})
		return recs, err
	}
	got := &spiderpoolv2beta1.SpiderIPPool{}
	if err := w.direct.Get(ctx, client.ObjectKey{Name: pool}, got); err != nil {
		return nil, fmt.Errorf("read pool %s: %w", pool, err)
	}
	return spiderpoolv2beta1.ParseAllocatedIPs(got.Status.AllocatedIPs)
}
