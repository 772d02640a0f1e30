// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package micro_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/internal/store/kube"
)

// round numbers the benchmark's set-ups: every run gets its own pool and
// namespace in the shared API server.
var round atomic.Int32 //nolint:gochecknoglobals // unique names across benchmark runs

// BenchmarkContention: K agents (each an ipam.Service with its own
// client, on its own node, F ADDs in flight each) allocate b.N pods'
// addresses from one IPv4 pool in a real API server. It reports
// allocations per second and pool-status conflicts (409) and writes per
// allocation. Run it with -benchtime=Nx (N <= 5000, the pool cap).
func BenchmarkContention(b *testing.B) {
	for _, c := range []struct{ k, inflight int }{{1, 1}, {10, 1}, {50, 1}, {10, 5}} {
		k := c.k
		name := fmt.Sprintf("agents=%d", k)
		if c.inflight > 1 {
			name += fmt.Sprintf("/inflight=%d", c.inflight)
		}
		b.Run(name, func(b *testing.B) {
			if b.N > ipam.DefaultMaxAllocatedIPs {
				b.Skipf("b.N %d is over the pool cap %d: use -benchtime=Nx", b.N, ipam.DefaultMaxAllocatedIPs)
			}
			pods, agents := setupContention(b, k, b.N)
			b.ResetTimer()
			start := time.Now()
			allocateAll(b, agents, pods, c.inflight)
			elapsed := time.Since(start)
			b.StopTimer()
			var st ipam.Stats
			for _, a := range agents {
				s := a.Stats()
				st.PoolConflicts += s.PoolConflicts
				st.PoolWrites += s.PoolWrites
				st.EndpointWrites += s.EndpointWrites
				st.PoolReads += s.PoolReads
				st.PoolCacheLoads += s.PoolCacheLoads
			}
			n := float64(b.N)
			b.ReportMetric(n/elapsed.Seconds(), "allocs/s")
			b.ReportMetric(float64(st.PoolConflicts)/n, "conflicts/alloc")
			b.ReportMetric(float64(st.PoolWrites)/n, "pool-writes/alloc")
			b.ReportMetric(float64(st.EndpointWrites)/n, "endpoint-writes/alloc")
			b.ReportMetric(float64(st.PoolReads)/n, "pool-reads/alloc")
			b.ReportMetric(float64(st.PoolCacheLoads)/n, "cache-loads/alloc")
		})
	}
}

// createContention creates a namespace, a pool of n addresses in a /16 and
// n pods spread over k nodes, and returns the pods.
func createContention(b *testing.B, k, n int) []*corev1.Pod {
	b.Helper()
	ctx := b.Context()
	r := round.Add(1)
	ns, pool := fmt.Sprintf("contention-%d", r), fmt.Sprintf("contention-%d", r)
	objs := []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
		&spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: pool}, Spec: spiderpoolv2beta1.IPPoolSpec{
			IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: fmt.Sprintf("10.%d.0.0/16", r%250),
			IPs: []string{fmt.Sprintf("10.%d.0.1-10.%d.%d.%d", r%250, r%250, n/256, n%256)}, Gateway: ptr.To(fmt.Sprintf("10.%d.255.254", r%250)),
		}},
	}
	pods := make([]*corev1.Pod, n)
	for i := range pods {
		pods[i] = &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("pod-%05d", i),
				Annotations: map[string]string{annotation.KeyIPPool: `{"ipv4":["` + pool + `"]}`}},
			Spec: corev1.PodSpec{NodeName: fmt.Sprintf("node-%d", i%k), Containers: []corev1.Container{{Name: "c", Image: "pause"}}},
		}
		objs = append(objs, pods[i])
	}
	for _, o := range objs {
		if err := apiServer.client.Create(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	return pods
}

// setupContention creates the pool and pods of createContention and
// returns the pods and k ready agents sharing one informer cache.
func setupContention(b *testing.B, k, n int) ([]*corev1.Pod, []*ipam.Service) {
	b.Helper()
	pods := createContention(b, k, n)
	cache := startCache(b)
	agents := make([]*ipam.Service, k)
	for i := range agents {
		agents[i] = newAgent(b, fmt.Sprintf("node-%d", i), cache)
	}
	return pods, agents
}

// startCache starts an informer cache, the agents' Cache reader, until the
// benchmark ends. The agents share it: each would have its own, equally
// fed by watches.
func startCache(b *testing.B) cache.Cache {
	b.Helper()
	c, err := cache.New(apiServer.cfg, cache.Options{Scheme: ipamtest.Scheme()})
	if err != nil {
		b.Fatal(err)
	}
	go func() {
		if err := c.Start(b.Context()); err != nil {
			b.Error(err)
		}
	}()
	if !c.WaitForCacheSync(b.Context()) {
		b.Fatal("cache did not sync")
	}
	return c
}

// newAgent returns a ready service for node reading the informer cache
// and, for fresh reads and writes, its own client with the agent's limits.
func newAgent(b *testing.B, node string, cache client.Reader) *ipam.Service {
	b.Helper()
	c, err := newClient()
	if err != nil {
		b.Fatal(err)
	}
	svc, err := ipam.New(ipam.Config{EnableIPv4: true, EnableIPv6: true, NodeName: node, AgentNamespace: "kube-system"},
		ipam.Deps{Cache: cache, API: c, Store: kube.New(c)})
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.Restore(b.Context()); err != nil {
		b.Fatal(err)
	}
	return svc
}

// allocateAll allocates eth0 of pod i on agent i % len(agents), each agent
// inflight ADDs at a time, all agents at once.
func allocateAll(b *testing.B, agents []*ipam.Service, pods []*corev1.Pod, inflight int) {
	b.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), 5*time.Minute)
	defer cancel()
	k := len(agents)
	errs := make([]error, k*inflight)
	var wg sync.WaitGroup
	for w := range errs {
		a := w % k
		wg.Go(func() {
			for i := w; i < len(pods) && errs[w] == nil; i += len(errs) {
				p := pods[i]
				_, errs[w] = agents[a].Allocate(ctx, ipam.AllocateRequest{ContainerID: "c-" + p.Name, IfName: "eth0",
					PodNamespace: p.Namespace, PodName: p.Name, PodUID: string(p.UID)})
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
}
