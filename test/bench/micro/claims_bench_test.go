// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package micro_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
)

// BenchmarkClaimContention is the prototype of a storage where each
// allocated address is one small object named after its pool and address,
// so that the API server's create is the atomic claim (as Kube-OVN's IP
// objects), measured on the load of BenchmarkContention's
// "agents=10/inflight=5" case. The claims are Lease objects (a small
// built-in kind, standing in for a CRD of our own); every agent sees the
// others' claims through one metadata-only informer, starts its search at
// its own offset into the pool (so that agents rarely race for one
// address), and creates a SpiderEndpoint per pod as the agent does. One
// writer (the controller, in that design) projects the claims into the
// pool's status.allocatedIPs in Spiderpool's format every 500 ms. It
// reports allocations per second, AlreadyExists answers (409) and API
// writes per allocation, and the lag from the last claim to the status
// holding every record.
func BenchmarkClaimContention(b *testing.B) {
	const k, inflight = 10, 5
	ctx := b.Context()
	r := round.Add(1)
	ns, pool := fmt.Sprintf("claims-%d", r), fmt.Sprintf("claims-%d", r)
	usable := claimSetup(b, ns, pool, int(r), b.N)
	view := startClaimView(b, ns)
	proj := &projector{ns: ns, pool: pool, view: view}
	projCtx, stopProj := context.WithCancel(ctx)
	projDone := make(chan struct{})
	go func() { proj.run(projCtx, 500*time.Millisecond); close(projDone) }()

	b.ResetTimer()
	start := time.Now()
	var stats claimStats
	claimAll(b, ns, pool, usable, view, k, inflight, &stats)
	elapsed := time.Since(start)
	lag := proj.waitFor(ctx, b.N)
	b.StopTimer()
	stopProj()
	<-projDone

	n := float64(b.N)
	b.ReportMetric(n/elapsed.Seconds(), "allocs/s")
	b.ReportMetric(float64(stats.exists.Load())/n, "conflicts/alloc")
	writes := stats.creates.Load() + stats.endpoints.Load() + proj.writes.Load()
	b.ReportMetric(float64(writes)/n, "api-writes/alloc")
	b.ReportMetric(float64(proj.writes.Load())/n, "pool-writes/alloc")
	b.ReportMetric(lag.Seconds(), "status-lag-s")
}

type claimStats struct{ creates, exists, endpoints atomic.Uint64 }

// claimSetup creates the namespace, the pool (n addresses) and returns its
// addresses in order.
func claimSetup(b *testing.B, ns, pool string, r, n int) []netip.Addr {
	b.Helper()
	first := netip.AddrFrom4([4]byte{10, byte(r % 250), 0, 1})
	last := first
	usable := make([]netip.Addr, 0, n)
	for range n {
		usable = append(usable, last)
		last = last.Next()
	}
	for _, o := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
		&spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: pool}, Spec: spiderpoolv2beta1.IPPoolSpec{
			IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: fmt.Sprintf("10.%d.0.0/16", r%250),
			IPs: []string{first.String() + "-" + usable[n-1].String()},
		}},
	} {
		if err := apiServer.client.Create(b.Context(), o); err != nil {
			b.Fatal(err)
		}
	}
	return usable
}

// startClaimView starts the shared metadata-only informer of the claims.
func startClaimView(b *testing.B, ns string) cache.Cache {
	b.Helper()
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(coordinationv1.SchemeGroupVersion.WithKind("Lease"))
	c, err := cache.New(apiServer.cfg, cache.Options{Scheme: ipamtest.Scheme(),
		DefaultNamespaces: map[string]cache.Config{ns: {}}, ByObject: map[client.Object]cache.ByObject{meta: {}}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.GetInformer(b.Context(), meta); err != nil {
		b.Fatal(err)
	}
	go func() { _ = c.Start(b.Context()) }()
	if !c.WaitForCacheSync(b.Context()) {
		b.Fatal("claim cache did not sync")
	}
	return c
}

// claimedIn returns the addresses of pool claimed in the view.
func claimedIn(ctx context.Context, view client.Reader, ns, pool string) (map[string]string, error) {
	list := &metav1.PartialObjectMetadataList{}
	list.SetGroupVersionKind(coordinationv1.SchemeGroupVersion.WithKind("LeaseList"))
	if err := view.List(ctx, list, client.InNamespace(ns), client.UnsafeDisableDeepCopy); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(list.Items))
	for i := range list.Items {
		if ip, ok := strings.CutPrefix(list.Items[i].Name, pool+"."); ok {
			out[strings.ReplaceAll(ip, "-", ".")] = list.Items[i].Annotations["pod"]
		}
	}
	return out, nil
}

// claimAll runs k agents with inflight workers each; worker w of agent a
// allocates pods w, w+k*inflight, ... by claiming an address and creating
// the pod's SpiderEndpoint.
func claimAll(b *testing.B, ns, pool string, usable []netip.Addr, view client.Reader, k, inflight int, st *claimStats) {
	b.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), 5*time.Minute)
	defer cancel()
	agents := make([]*claimAgent, k)
	for a := range agents {
		c, err := newClient()
		if err != nil {
			b.Fatal(err)
		}
		agents[a] = &claimAgent{c: c, ns: ns, pool: pool, usable: usable, view: view, st: st,
			offset: a * len(usable) / k, mine: map[string]bool{}}
	}
	errs := make([]error, k*inflight)
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			for i := w; i < b.N && errs[w] == nil; i += len(errs) {
				errs[w] = agents[w%k].allocate(ctx, fmt.Sprintf("pod-%05d", i))
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

// claimAgent is one node's allocator in the claim design.
type claimAgent struct {
	c        client.Client
	ns, pool string
	usable   []netip.Addr
	view     client.Reader
	st       *claimStats
	offset   int
	mu       sync.Mutex
	mine     map[string]bool // claims in flight or made by this agent
}

func (a *claimAgent) allocate(ctx context.Context, pod string) error {
	claimed, err := claimedIn(ctx, a.view, a.ns, a.pool)
	if err != nil {
		return err
	}
	for i := range a.usable {
		ip := a.usable[(a.offset+i)%len(a.usable)].String()
		if _, ok := claimed[ip]; ok || !a.reserve(ip) {
			continue
		}
		lease := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: a.ns,
			Name: a.pool + "." + strings.ReplaceAll(ip, ".", "-"), Annotations: map[string]string{"pod": a.ns + "/" + pod}}}
		a.st.creates.Add(1)
		err := a.c.Create(ctx, lease)
		if apierrors.IsAlreadyExists(err) {
			a.st.exists.Add(1)
			continue // another agent's; the reservation stays: never ours
		}
		if err != nil {
			return fmt.Errorf("claim %s: %w", ip, err)
		}
		return a.endpoint(ctx, pod, ip)
	}
	return fmt.Errorf("pool %s full", a.pool)
}

// reserve marks ip as taken by this agent; false when it already was.
func (a *claimAgent) reserve(ip string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.mine[ip] {
		return false
	}
	a.mine[ip] = true
	return true
}

func (a *claimAgent) endpoint(ctx context.Context, pod, ip string) error {
	cidr := ip + "/16"
	ep := &spiderpoolv2beta1.SpiderEndpoint{ObjectMeta: metav1.ObjectMeta{Namespace: a.ns, Name: pod},
		Status: spiderpoolv2beta1.WorkloadEndpointStatus{Current: spiderpoolv2beta1.PodIPAllocation{UID: pod, Node: "node",
			IPs: []spiderpoolv2beta1.IPAllocationDetail{{NIC: "eth0", IPv4: &cidr, IPv4Pool: &a.pool}}}}}
	a.st.endpoints.Add(1)
	if err := a.c.Create(ctx, ep); err != nil {
		return fmt.Errorf("endpoint %s: %w", pod, err)
	}
	return nil
}

// projector is the single writer of the pool's status in the claim design.
type projector struct {
	ns, pool string
	view     client.Reader
	writes   atomic.Uint64
	mu       sync.Mutex
	written  int // records in the last status written
	last     string
}

// run writes the claims into the pool's status every period when they
// changed.
func (p *projector) run(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = p.project(ctx)
		}
	}
}

func (p *projector) project(ctx context.Context) error {
	claimed, err := claimedIn(ctx, p.view, p.ns, p.pool)
	if err != nil {
		return err
	}
	recs := make(spiderpoolv2beta1.PoolIPAllocations, len(claimed))
	for ip, pod := range claimed {
		ns, name, _ := strings.Cut(pod, "/")
		recs[ip] = spiderpoolv2beta1.NewPoolIPAllocation(ns, name, name)
	}
	s := spiderpoolv2beta1.FormatAllocatedIPs(recs)
	if p.last == *s {
		return nil
	}
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := apiServer.client.Get(ctx, client.ObjectKey{Name: p.pool}, pool); err != nil {
		return err
	}
	pool.Status.AllocatedIPs, pool.Status.AllocatedIPCount = s, ptr.To(int64(len(recs)))
	p.writes.Add(1)
	if err := apiServer.client.Status().Update(ctx, pool); err != nil {
		return err
	}
	p.mu.Lock()
	p.last, p.written = *s, len(recs)
	p.mu.Unlock()
	return nil
}

// waitFor waits until the status holds n records and returns how long that
// took.
func (p *projector) waitFor(ctx context.Context, n int) time.Duration {
	start := time.Now()
	for ctx.Err() == nil && time.Since(start) < time.Minute {
		p.mu.Lock()
		done := p.written >= n
		p.mu.Unlock()
		if done {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}
