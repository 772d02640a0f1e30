// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
)

// snapshot is one reading of the cache.
type snapshot struct {
	pods    []corev1.Pod
	eps     []spiderpoolv2beta1.SpiderEndpoint
	records map[string]spiderpoolv2beta1.PoolIPAllocation
}

func (w *Watcher) read(ctx context.Context, c client.Reader) (snapshot, error) {
	s := snapshot{records: map[string]spiderpoolv2beta1.PoolIPAllocation{}}
	pods, eps, pools := &corev1.PodList{}, &spiderpoolv2beta1.SpiderEndpointList{}, &spiderpoolv2beta1.SpiderIPPoolList{}
	for _, l := range []client.ObjectList{pods, eps, pools} {
		if err := c.List(ctx, l); err != nil {
			return s, fmt.Errorf("list %T: %w", l, err)
		}
	}
	if w.claims {
		if err := claimRecords(ctx, c, s.records); err != nil {
			return s, err
		}
	}
	for _, p := range pools.Items {
		if w.claims {
			break
		}
		recs, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
		if err != nil {
			return s, fmt.Errorf("pool %s: %w", p.Name, err)
		}
		for ip, r := range recs {
			s.records[ip] = r
		}
	}
	for _, p := range pods.Items {
		if p.Namespace == w.ns {
			s.pods = append(s.pods, p)
		}
	}
	for _, e := range eps.Items {
		if e.Namespace == w.ns {
			s.eps = append(s.eps, e)
		}
	}
	return s, nil
}

// claimRecords fills records with the holders of the SpiderIPClaims, in the
// pools' record format: with the claim storage they are the truth.
func claimRecords(ctx context.Context, c client.Reader, records map[string]spiderpoolv2beta1.PoolIPAllocation, opts ...client.ListOption) error {
	var list ipamclaimsv1alpha1.SpiderIPClaimList
	if err := c.List(ctx, &list, opts...); err != nil {
		return fmt.Errorf("list SpiderIPClaims: %w", err)
	}
	return claims.AddRecords(records, list.Items)
}

// alive is the liveness of the workload rules: neither terminating nor
// finished.
func alive(p *corev1.Pod) bool {
	return p.DeletionTimestamp == nil && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed
}

func podIPs(p *corev1.Pod) []string {
	out := make([]string, 0, len(p.Status.PodIPs))
	for _, ip := range p.Status.PodIPs {
		out = append(out, ip.IP)
	}
	return out
}

// holds reports whether e still holds the addresses it lists: the DEL of a
// pod that goes on (a sandbox re-created after a failed ADD) frees the
// records and removes the finalizer, but the endpoint keeps listing them
// until the pod is gone, so that its next sandbox can take them back while
// they are free.
func holds(e *spiderpoolv2beta1.SpiderEndpoint) bool {
	return slices.Contains(e.Finalizers, spiderpoolv2beta1.SpiderFinalizer)
}

func endpointIPs(e *spiderpoolv2beta1.SpiderEndpoint) []string {
	var out []string
	for _, d := range e.Status.Current.IPs {
		for _, a := range []*string{d.IPv4, d.IPv6} {
			if a != nil {
				ip, _, _ := strings.Cut(*a, "/")
				out = append(out, ip)
			}
		}
	}
	return out
}

// Sample reads the cache once and checks it; suspects are confirmed on
// fresh reads.
func (w *Watcher) Sample(ctx context.Context) {
	s, err := w.read(ctx, w.cache)
	if err != nil {
		return
	}
	w.mu.Lock()
	w.samples++
	w.mu.Unlock()
	live := map[types.UID]*corev1.Pod{}
	byIP := map[string]*corev1.Pod{}
	for i := range s.pods {
		p := &s.pods[i]
		if !alive(p) {
			continue
		}
		live[p.UID] = p
		for _, ip := range podIPs(p) {
			if o := byIP[ip]; o != nil && o.UID != p.UID {
				w.confirmPods(ctx, ip, o, p)
			}
			byIP[ip] = p
			if r, ok := s.records[ip]; p.Status.Phase == corev1.PodRunning && (!ok || r.PodUID != string(p.UID)) {
				w.confirmRecord(ctx, ip, p)
			}
		}
	}
	epByIP := map[string]*spiderpoolv2beta1.SpiderEndpoint{}
	for i := range s.eps {
		e := &s.eps[i]
		if live[types.UID(e.Status.Current.UID)] == nil || !holds(e) {
			continue
		}
		for _, ip := range endpointIPs(e) {
			if o := epByIP[ip]; o != nil {
				w.confirmEndpoints(ctx, ip, o, e)
			}
			epByIP[ip] = e
		}
	}
	w.trackOrphans(s)
}

// trackOrphans times every record whose holder is gone until it is freed;
// a StatefulSet pod's records are timed apart, as they wait for the pod's
// successor.
func (w *Watcher) trackOrphans(s snapshot) {
	exists := map[string]bool{}
	for i := range s.pods {
		exists[s.pods[i].Namespace+"/"+s.pods[i].Name+"/"+string(s.pods[i].UID)] = true
	}
	now := time.Now()
	current := map[record]bool{}
	w.mu.Lock()
	defer w.mu.Unlock()
	for ip, r := range s.records {
		rec := record{ip: ip, holder: r.NamespacedName, uid: r.PodUID}
		current[rec] = true
		if !strings.HasPrefix(r.NamespacedName, w.ns+"/") || exists[r.NamespacedName+"/"+r.PodUID] {
			delete(w.orphanSince, rec)
			continue
		}
		if _, ok := w.orphanSince[rec]; !ok {
			w.orphanSince[rec] = now
		}
	}
	for rec, since := range w.orphanSince {
		if current[rec] {
			continue
		}
		delete(w.orphanSince, rec)
		if strings.HasPrefix(rec.holder, w.ns+"/"+StatefulSetName+"-") {
			// Kept on purpose for the next pod of that name until the
			// StatefulSet no longer wants the ordinal.
			w.worstRetained = max(w.worstRetained, now.Sub(since))
			continue
		}
		if life := now.Sub(since); life > w.worstOrphan {
			w.worstOrphan = life
			w.worstOrphanNote = fmt.Sprintf("%s held by %s (uid %s): orphaned %s, freed %s; faults started since a minute before: %v",
				rec.ip, rec.holder, rec.uid, since.UTC().Format(time.TimeOnly), now.UTC().Format(time.TimeOnly),
				w.faults.StartedBetween(since.Add(-time.Minute), now))
		}
		if f, ok := w.faults.LastStartBefore(since); ok {
			w.worstFault = max(w.worstFault, now.Sub(f))
		}
	}
}

// Orphans returns the records whose holder is gone, with their age.
func (w *Watcher) Orphans() map[string]time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]time.Duration{}
	for rec, since := range w.orphanSince {
		out[rec.ip+" "+rec.holder+" "+rec.uid] = time.Since(since)
	}
	return out
}
