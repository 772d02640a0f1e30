// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package kube_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/store/kube"
)

const agents = 10

// newAgent returns a ready service for node, with its own cache-less
// client for reads and writes, as a separate agent process would have.
func newAgent(t *testing.T, node string) *ipam.Service {
	t.Helper()
	c, err := newClient()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := ipam.New(ipam.Config{
		EnableIPv4: true, EnableIPv6: true, EnableStatefulSet: true, NodeName: node, AgentNamespace: "kube-system",
	}, ipam.Deps{Cache: c, API: c, Store: kube.New(c)})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	return svc
}

// setup creates namespace ns, pool (IPv4, size addresses from 10.<octet>.0.1)
// and n pods spread over the agents' nodes.
func setup(t *testing.T, ns, pool string, octet, size, n int) []*corev1.Pod {
	t.Helper()
	c := apiServer.client
	ctx := t.Context()
	last := netip.AddrFrom4([4]byte{10, byte(octet), byte(size / 256), byte(size % 256)})
	objs := []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
		&spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: pool}, Spec: spiderpoolv2beta1.IPPoolSpec{
			IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: fmt.Sprintf("10.%d.0.0/16", octet),
			IPs: []string{fmt.Sprintf("10.%d.0.1-%s", octet, last)}, Gateway: ptr.To(fmt.Sprintf("10.%d.255.254", octet)),
		}},
	}
	for _, o := range objs {
		if err := c.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	pods := make([]*corev1.Pod, n)
	for i := range pods {
		pods[i] = &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("pod-%03d", i),
				Annotations: map[string]string{annotation.KeyIPPool: `{"ipv4":["` + pool + `"]}`}},
			Spec: corev1.PodSpec{NodeName: fmt.Sprintf("node-%d", i%agents),
				Containers: []corev1.Container{{Name: "c", Image: "pause"}}},
		}
		if err := c.Create(ctx, pods[i]); err != nil {
			t.Fatal(err)
		}
	}
	return pods
}

// runAgents allocates eth0 for every pod, pod i on agent i % agents, with
// at most inflight ADDs at a time per agent, and returns each pod's error.
func runAgents(t *testing.T, svcs []*ipam.Service, pods []*corev1.Pod, inflight int) ([]error, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	errs := make([]error, len(pods))
	start := time.Now()
	var wg sync.WaitGroup
	for a := range svcs {
		wg.Go(func() { // one agent: at most inflight ADDs at a time
			var agent sync.WaitGroup
			slots := make(chan struct{}, inflight)
			for i := a; i < len(pods); i += len(svcs) {
				slots <- struct{}{}
				agent.Go(func() {
					defer func() { <-slots }()
					pod := pods[i]
					_, errs[i] = svcs[a].Allocate(ctx, ipam.AllocateRequest{
						ContainerID: "c-" + pod.Name, IfName: "eth0", PodNamespace: pod.Namespace, PodName: pod.Name,
						PodUID: string(pod.UID),
					})
				})
			}
			agent.Wait()
		})
	}
	wg.Wait()
	return errs, time.Since(start)
}

// poolRecords reads the pool and checks that no address or pod is there
// twice and that the count matches.
func poolRecords(t *testing.T, pool string) spiderpoolv2beta1.PoolIPAllocations {
	t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{}
	if err := apiServer.client.Get(t.Context(), client.ObjectKey{Name: pool}, p); err != nil {
		t.Fatal(err)
	}
	recs, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status.AllocatedIPCount == nil || *p.Status.AllocatedIPCount != int64(len(recs)) {
		t.Errorf("allocatedIPCount %v for %d records", p.Status.AllocatedIPCount, len(recs))
	}
	uids := map[string]string{}
	for ip, r := range recs {
		if other, dup := uids[r.PodUID]; dup {
			t.Errorf("pod %s holds %s and %s", r.NamespacedName, other, ip)
		}
		uids[r.PodUID] = ip
	}
	return recs
}

func report(t *testing.T, name string, svcs []*ipam.Service, allocated int, elapsed time.Duration) {
	t.Helper()
	var total ipam.Stats
	for _, s := range svcs {
		st := s.Stats()
		total.PoolOps += st.PoolOps
		total.PoolBatches += st.PoolBatches
		total.PoolWrites += st.PoolWrites
		total.PoolConflicts += st.PoolConflicts
		total.PoolReads += st.PoolReads
		total.EndpointWrites += st.EndpointWrites
		total.Allocations += st.Allocations
	}
	per := func(n uint64) float64 { return float64(n) / float64(max(allocated, 1)) }
	t.Logf("%s: %d addresses by %d agents in %v; per allocation: %.2f pool writes, %.2f conflicts, "+
		"%.2f fresh pool reads, %.2f endpoint writes; %.1f operations per batch",
		name, allocated, len(svcs), elapsed.Round(time.Millisecond), per(total.PoolWrites), per(total.PoolConflicts),
		per(total.PoolReads), per(total.EndpointWrites), float64(total.PoolOps)/float64(max(total.PoolBatches, 1)))
}

func newAgents(t *testing.T) []*ipam.Service {
	svcs := make([]*ipam.Service, agents)
	for i := range svcs {
		svcs[i] = newAgent(t, fmt.Sprintf("node-%d", i))
	}
	return svcs
}

// TestTenAgentsOnePool: 10 agents allocate 200 addresses from one pool
// with room for all: every ADD succeeds and no address is given twice.
func TestTenAgentsOnePool(t *testing.T) {
	pods := setup(t, "ten-agents", "shared", 10, 250, 200)
	svcs := newAgents(t)
	errs, elapsed := runAgents(t, svcs, pods, 5)
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("allocation failed: %v", err)
	}
	if recs := poolRecords(t, "shared"); len(recs) != len(pods) {
		t.Errorf("%d records, want %d", len(recs), len(pods))
	}
	report(t, "pool of 250, 5 ADDs in flight per agent", svcs, len(pods), elapsed)
}

// TestTenAgentsPoolTooSmall: with 150 addresses for 200 pods, 150 ADDs
// succeed and the other 50 fail with ErrPoolExhausted, the pool full.
func TestTenAgentsPoolTooSmall(t *testing.T) {
	const size = 150
	pods := setup(t, "small-pool", "small", 11, size, 200)
	svcs := newAgents(t)
	errs, elapsed := runAgents(t, svcs, pods, len(pods))
	failed := 0
	for i, err := range errs {
		if err == nil {
			continue
		}
		failed++
		if !errors.Is(err, ipam.ErrPoolExhausted) {
			t.Errorf("pod %d: %v", i, err)
		}
	}
	if recs := poolRecords(t, "small"); len(recs) != size || failed != len(pods)-size {
		t.Errorf("%d records and %d failures, want %d and %d", len(recs), failed, size, len(pods)-size)
	}
	report(t, "pool of 150 for 200 pods, all ADDs at once", svcs, size, elapsed)
}

// TestReleaseOnAPIServer: DEL after the pod is gone frees the address and
// lets the endpoint go, through the real API server.
func TestReleaseOnAPIServer(t *testing.T) {
	pods := setup(t, "release", "rel", 12, 10, 1)
	svc := newAgent(t, "node-0")
	pod := pods[0]
	if _, err := svc.Allocate(t.Context(), ipam.AllocateRequest{IfName: "eth0", PodNamespace: pod.Namespace,
		PodName: pod.Name, PodUID: string(pod.UID)}); err != nil {
		t.Fatal(err)
	}
	if err := apiServer.client.Delete(t.Context(), pod); err != nil {
		t.Fatal(err)
	}
	if err := svc.Release(t.Context(), ipam.ReleaseRequest{IfName: "eth0", PodNamespace: pod.Namespace,
		PodName: pod.Name, PodUID: string(pod.UID)}); err != nil {
		t.Fatal(err)
	}
	if recs := poolRecords(t, "rel"); len(recs) != 0 {
		t.Errorf("records left: %v", recs)
	}
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	if err := apiServer.client.Get(t.Context(), client.ObjectKeyFromObject(pod), ep); err == nil && len(ep.Finalizers) > 0 {
		t.Errorf("endpoint keeps its finalizer: %v", ep.Finalizers)
	}
}
