// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/store/kube"
)

// Full scans and reconciles run back to back while three agents (the real
// internal/ipam service, writing pool records first and endpoints last)
// allocate for 60 pods in the same pool that holds 20 dead records. Every
// allocation survives, every dead record is freed, and nothing else is.
func TestScanDuringAllocations(t *testing.T) {
	const agents, pods, dead = 3, 60, 20
	e := newEnv(t, nil)
	nodes := make([]string, agents)
	for i := range nodes {
		nodes[i] = e.node(fmt.Sprintf("n%d", i), true)
	}
	var deadRecs []rec
	for i := range dead {
		deadRecs = append(deadRecs, rec{ip: e.ip(200 + i), name: fmt.Sprintf("dead-%d", i), uid: fmt.Sprintf("uid-dead-%d", i)})
	}
	pool := e.pool("v4", deadRecs...)
	podList := make([]*corev1.Pod, pods)
	for i := range podList {
		podList[i] = e.pod(fmt.Sprintf("p-%02d", i), nodes[i%agents], func(p *corev1.Pod) {
			p.Annotations = map[string]string{annotation.KeyIPPool: `{"ipv4":["` + pool + `"]}`}
		})
	}

	// Endpoint reads answered NotFound: pods not allocated yet, or between
	// their pool write and their endpoint create (the window that matters).
	var windows atomic.Int32
	e.gc.cache = interceptor.NewClient(newWatchClient(t), interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			err := c.Get(ctx, key, obj, opts...)
			if _, isEP := obj.(*spiderpoolv2beta1.SpiderEndpoint); isEP && apierrors.IsNotFound(err) {
				windows.Add(1)
			}
			return err
		},
	})
	ctx, cancel := context.WithCancel(e.ctx())
	var wg sync.WaitGroup
	var scans, scanErrs atomic.Int32
	for range 2 { // the leader's scan overlaps with reconciles; two loops make the overlap denser
		wg.Go(func() {
			for ctx.Err() == nil {
				if err := e.gc.scan(ctx); err != nil && ctx.Err() == nil {
					scanErrs.Add(1)
					t.Logf("scan during allocations: %v", err)
				}
				scans.Add(1)
			}
		})
	}
	wg.Go(func() { e.reconcileLoop(ctx, podList) })
	errs := allocateAll(ctx, t, e, nodes, podList)
	cancel()
	wg.Wait()
	e.scan()

	for i, err := range errs {
		if err != nil {
			t.Errorf("allocate %s: %v", podList[i].Name, err)
		}
	}
	var want []rec
	for _, p := range podList {
		ep := &spiderpoolv2beta1.SpiderEndpoint{}
		if err := e.c.Get(e.ctx(), keyIn(e.ns, p.Name), ep); err != nil {
			t.Fatalf("endpoint of %s: %v", p.Name, err)
		}
		if ep.Status.Current.UID != string(p.UID) || len(endpointAddrs(ep)) != 1 {
			t.Fatalf("endpoint of %s: %+v", p.Name, ep.Status.Current)
		}
		want = append(want, recOf(endpointAddrs(ep)[0].ip, p))
	}
	e.wantRecords(pool, want...) // also proves no address is recorded twice
	if got := e.counter(MetricGCCounts); got != dead {
		t.Errorf("%s = %v, want %d: only the dead records", MetricGCCounts, got, dead)
	}
	t.Logf("%d scans ran during the allocations (%d failed, retried by the next); %d endpoint reads found none yet; "+
		"%v pool write conflicts retried", scans.Load(), scanErrs.Load(), windows.Load(), e.counter(MetricReleaseConflictCounts))
}

// reconcileLoop reconciles every pod's key until ctx ends.
func (e *env) reconcileLoop(ctx context.Context, pods []*corev1.Pod) {
	r := &reconciler{c: e.gc}
	for ctx.Err() == nil {
		for _, p := range pods {
			_, _ = r.Reconcile(ctx, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: p.Namespace, Name: p.Name}})
		}
	}
}

// allocateAll runs one agent per node, each with up to 5 ADDs in flight,
// and returns each pod's error.
func allocateAll(ctx context.Context, t *testing.T, e *env, nodes []string, pods []*corev1.Pod) []error {
	t.Helper()
	svcs := make([]*ipam.Service, len(nodes))
	for i, node := range nodes {
		c := newWatchClient(t)
		svc, err := ipam.New(ipam.Config{EnableIPv4: true, EnableStatefulSet: true, NodeName: node, AgentNamespace: "kube-system"},
			ipam.Deps{Cache: c, API: c, Store: kube.New(c)})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Restore(ctx); err != nil {
			t.Fatal(err)
		}
		svcs[i] = svc
	}
	actx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	errs := make([]error, len(pods))
	var wg sync.WaitGroup
	for a := range svcs {
		wg.Go(func() { // one agent
			var agent sync.WaitGroup
			slots := make(chan struct{}, 5)
			for i := a; i < len(pods); i += len(svcs) {
				slots <- struct{}{}
				agent.Go(func() {
					defer func() { <-slots }()
					p := pods[i]
					_, errs[i] = svcs[a].Allocate(actx, ipam.AllocateRequest{ContainerID: "c-" + p.Name, IfName: "eth0",
						PodNamespace: p.Namespace, PodName: p.Name, PodUID: string(p.UID)})
				})
			}
			agent.Wait()
		})
	}
	wg.Wait()
	return errs
}
