// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/ipam/claimq"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
	"github.com/spiderpool-go/spiderpool/internal/store"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// api is a client of the package's envtest API server (real
// kube-apiserver and etcd with the project's CRDs), started in TestMain.
var api client.Client //nolint:gochecknoglobals // shared by the package's tests

// cfg is the envtest API server's config, for the tests' own watches.
var cfg *rest.Config //nolint:gochecknoglobals // shared by the package's tests

func scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(s), spiderpoolv2beta1.AddToScheme(s), ipamclaimsv1alpha1.AddToScheme(s)); err != nil {
		panic(err)
	}
	return s
}

func TestMain(m *testing.M) {
	os.Exit(utils.RunWithEnvtest(m, scheme(), func(c *rest.Config) (err error) {
		cfg = c
		api, err = client.New(cfg, client.Options{Scheme: scheme()})
		return err
	}))
}

// latest reads pools from the API server: fresher than any watch.
type latest struct{ client.Reader }

func (l latest) Current(ctx context.Context, name string, _ func(*metav1.PartialObjectMetadata) bool) (*spiderpoolv2beta1.SpiderIPPool, error) {
	p := &spiderpoolv2beta1.SpiderIPPool{}
	return p, l.Get(ctx, client.ObjectKey{Name: name}, p)
}

func agent(node string, maxRecords int) *claimq.Queues {
	return claimq.New(claimq.Deps{Pools: latest{api}, Claims: api, API: api, Writer: api, Node: node, MaxRecords: maxRecords})
}

// indexed returns the queues of an agent on node whose allocations ask an
// Index fed by a watch of the claims, as the agent wires them.
func indexed(t *testing.T, node string) *claimq.Queues {
	t.Helper()
	c, err := cache.New(cfg, cache.Options{Scheme: scheme()})
	if err != nil {
		t.Fatal(err)
	}
	inf, err := c.GetInformer(t.Context(), &ipamclaimsv1alpha1.SpiderIPClaim{})
	if err != nil {
		t.Fatal(err)
	}
	x := claimq.NewIndex()
	reg, err := inf.AddEventHandler(x)
	if err != nil {
		t.Fatal(err)
	}
	x.SetSynced(reg.HasSynced)
	go func() { _ = c.Start(t.Context()) }()
	if !c.WaitForCacheSync(t.Context()) {
		t.Fatal("the claim cache did not sync")
	}
	return claimq.New(claimq.Deps{Pools: latest{api}, Claims: c, API: api, Writer: api, Node: node, Index: x})
}

// newPool creates pool name offering ips, with records as Spiderpool
// writes them.
func newPool(t *testing.T, name, subnet string, ips []string, records spiderpoolv2beta1.PoolIPAllocations) {
	t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To(int64(4)), Subnet: subnet, IPs: ips}}
	if err := api.Create(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if len(records) > 0 {
		p.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(records)
		p.Status.AllocatedIPCount = ptr.To(int64(len(records)))
		if err := api.Status().Update(t.Context(), p); err != nil {
			t.Fatal(err)
		}
	}
}

func submit(t *testing.T, q *claimq.Queues, pool string, op poolq.Op) poolq.Result {
	t.Helper()
	op.Ctx = t.Context()
	return q.Submit(pool, &op)
}

func claimOf(t *testing.T, pool string, a netip.Addr) *ipamclaimsv1alpha1.SpiderIPClaim {
	t.Helper()
	name, err := claims.Name(pool, a)
	if err != nil {
		t.Fatal(err)
	}
	c := &ipamclaimsv1alpha1.SpiderIPClaim{}
	if err := api.Get(t.Context(), client.ObjectKey{Name: name}, c); err != nil {
		return nil
	}
	return c
}

var spiderpoolRecord = spiderpoolv2beta1.PoolIPAllocations{ //nolint:gochecknoglobals // a fixture
	"10.80.0.10": spiderpoolv2beta1.NewPoolIPAllocation("other", "pod", "uid-x"),
}

func TestAllocateClaimsAnAddressNobodyHolds(t *testing.T) {
	newPool(t, "alloc", "10.80.0.0/24", []string{"10.80.0.10-10.80.0.14"}, spiderpoolRecord)
	q := agent("n1", 0)
	first := submit(t, q, "alloc", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/a", UID: "uid-a"})
	if first.Err != nil || first.Reused || first.IP == netip.MustParseAddr("10.80.0.10") {
		t.Fatalf("allocate = %+v; want a new address other than Spiderpool's record 10.80.0.10", first)
	}
	c := claimOf(t, "alloc", first.IP)
	want := ipamclaimsv1alpha1.IPClaimSpec{Pool: "alloc", IP: first.IP.String(), PodNamespace: "ns", PodName: "a", PodUID: "uid-a", Node: "n1"}
	if c == nil || c.Spec != want || c.Labels[ipamclaimsv1alpha1.LabelPool] != "alloc" || c.Labels[ipamclaimsv1alpha1.LabelPodUID] != "uid-a" {
		t.Fatalf("claim of %s = %+v; want spec %+v and the pool and holder labels", first.IP, c, want)
	}
	again := submit(t, q, "alloc", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/a", UID: "uid-a"})
	if again.Err != nil || !again.Reused || again.IP != first.IP {
		t.Errorf("retried allocate = %+v; want %s reused", again, first.IP)
	}
	avoid := submit(t, q, "alloc", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/a", UID: "uid-a", Avoid: map[netip.Addr]bool{first.IP: true}})
	if avoid.Err != nil || avoid.IP == first.IP || avoid.Reused {
		t.Errorf("allocate avoiding %s = %+v; want another, new address", first.IP, avoid)
	}
}

// TestAgentsNeverShareAnAddress: three agents allocate the whole pool at
// once, 10 pods each in parallel; every address goes to one pod, and the
// next allocation finds the pool full on fresh reads. The agents list the
// claims for each allocation, or ask an Index fed by their watch.
func TestAgentsNeverShareAnAddress(t *testing.T) {
	for i, tc := range []struct {
		name  string
		agent func(node string) *claimq.Queues
	}{
		{"listing", func(node string) *claimq.Queues { return agent(node, 0) }},
		{"index", func(node string) *claimq.Queues { return indexed(t, node) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := fmt.Sprintf("shared-%d", i)
			newPool(t, pool, "10.81.0.0/24", []string{"10.81.0.1-10.81.0.30"}, nil)
			agents := []*claimq.Queues{tc.agent("n1"), tc.agent("n2"), tc.agent("n3")}
			allocateAll(t, agents, pool)
		})
	}
}

// allocateAll has each agent allocate 10 addresses of the 30 of pool at
// once and checks that each went to one pod and that the pool is full.
func allocateAll(t *testing.T, agents []*claimq.Queues, pool string) {
	t.Helper()
	var mu sync.Mutex
	got := map[netip.Addr]string{}
	var wg sync.WaitGroup
	for i, q := range agents {
		for j := range 10 {
			wg.Go(func() {
				uid := fmt.Sprintf("uid-%d-%d", i, j)
				res := submit(t, q, pool, poolq.Op{Kind: poolq.Allocate, PodKey: "ns/" + uid, UID: uid})
				mu.Lock()
				defer mu.Unlock()
				if prev, dup := got[res.IP]; res.Err != nil || dup {
					t.Errorf("%s: %+v (address already given to %s: %t)", uid, res, prev, dup)
				}
				got[res.IP] = uid
			})
		}
	}
	wg.Wait()
	var list ipamclaimsv1alpha1.SpiderIPClaimList
	if err := api.List(t.Context(), &list, client.MatchingLabels{ipamclaimsv1alpha1.LabelPool: pool}); err != nil || len(list.Items) != 30 {
		t.Fatalf("%d claims (%v); want 30", len(list.Items), err)
	}
	full := submit(t, agents[0], pool, poolq.Op{Kind: poolq.Allocate, PodKey: "ns/late", UID: "uid-late"})
	if !errors.Is(full.Err, poolq.ErrPoolExhausted) {
		t.Errorf("allocate from a full pool: %v; want ErrPoolExhausted", full.Err)
	}
	var lost uint64
	for _, q := range agents {
		lost += q.Counts().Lost
	}
	t.Logf("creates refused because another agent won the address: %d of 30", lost)
}

func TestMaxRecordsCountsClaimsAndRecords(t *testing.T) {
	newPool(t, "capped", "10.82.0.0/24", []string{"10.82.0.10-10.82.0.20"}, spiderpoolv2beta1.PoolIPAllocations{
		"10.82.0.10": spiderpoolv2beta1.NewPoolIPAllocation("other", "pod", "uid-x")})
	q := agent("n1", 2)
	if res := submit(t, q, "capped", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/a", UID: "uid-a"}); res.Err != nil {
		t.Fatal(res.Err)
	}
	res := submit(t, q, "capped", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/b", UID: "uid-b"})
	if !errors.Is(res.Err, poolq.ErrPoolExhausted) {
		t.Errorf("third address with MaxRecords 2: %v; want ErrPoolExhausted", res.Err)
	}
}

func TestReleaseDeletesOnlyTheHoldersClaim(t *testing.T) {
	newPool(t, "release", "10.80.1.0/24", []string{"10.80.0.10-10.80.0.14"}, spiderpoolRecord)
	q := agent("n1", 0)
	a := submit(t, q, "release", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/a", UID: "uid-a"}).IP
	if res := submit(t, q, "release", poolq.Op{Kind: poolq.Release, PodKey: "ns/a", UID: "uid-old", IPs: []netip.Addr{a}}); res.Err != nil || res.Released != 0 {
		t.Errorf("release by another UID = %+v; want nothing released", res)
	}
	if claimOf(t, "release", a) == nil {
		t.Fatal("a release by another UID deleted the claim")
	}
	if res := submit(t, q, "release", poolq.Op{Kind: poolq.Release, PodKey: "ns/a", UID: "uid-a", IPs: []netip.Addr{a}}); res.Err != nil || res.Released != 1 {
		t.Errorf("release = %+v; want 1 released", res)
	}
	if claimOf(t, "release", a) != nil {
		t.Error("the claim is still there after its release")
	}
	unclaimed := netip.MustParseAddr("10.80.0.10")
	res := submit(t, q, "release", poolq.Op{Kind: poolq.Release, PodKey: "other/pod", UID: "uid-x", IPs: []netip.Addr{unclaimed}})
	if !errors.Is(res.Err, claimq.ErrNotAdopted) {
		t.Errorf("release of a record not adopted yet: %+v; want ErrNotAdopted (retried once the controller adopted it)", res)
	}
}

func TestAdoptGivesTheClaimToTheNewIncarnation(t *testing.T) {
	newPool(t, "adopt", "10.80.2.0/24", []string{"10.80.0.10-10.80.0.14"}, spiderpoolRecord)
	q := agent("n1", 0)
	a := submit(t, q, "adopt", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/sts-0", UID: "uid-1"}).IP
	if res := submit(t, agent("n2", 0), "adopt", poolq.Op{Kind: poolq.Adopt, PodKey: "ns/sts-0", UID: "uid-2", IPs: []netip.Addr{a}}); res.Err != nil {
		t.Fatal(res.Err)
	}
	if c := claimOf(t, "adopt", a); c == nil || c.Spec.PodUID != "uid-2" || c.Spec.Node != "n2" || c.Labels[ipamclaimsv1alpha1.LabelPodUID] != "uid-2" {
		t.Errorf("claim after adoption = %+v; want uid-2 on n2, labelled so", c)
	}
	for _, tc := range []struct {
		name string
		op   poolq.Op
	}{
		{"claimed by another pod", poolq.Op{Kind: poolq.Adopt, PodKey: "ns/intruder", UID: "uid-i", IPs: []netip.Addr{a}}},
		{"recorded by Spiderpool for another pod", poolq.Op{Kind: poolq.Adopt, PodKey: "ns/sts-0", UID: "uid-2", IPs: []netip.Addr{netip.MustParseAddr("10.80.0.10")}}},
	} {
		if res := submit(t, q, "adopt", tc.op); !errors.Is(res.Err, store.ErrBadRecord) {
			t.Errorf("%s: %v; want ErrBadRecord", tc.name, res.Err)
		}
	}
	if c := claimOf(t, "adopt", netip.MustParseAddr("10.80.0.10")); c != nil {
		t.Errorf("a refused adoption created claim %+v", c)
	}
}

// TestOneAgentsAllocationsDoNotRace: the allocations in flight on one
// agent start at the same offset, yet none loses a create to another.
func TestOneAgentsAllocationsDoNotRace(t *testing.T) {
	newPool(t, "inflight", "10.83.0.0/24", []string{"10.83.0.1-10.83.0.100"}, nil)
	q := agent("n1", 0)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			uid := fmt.Sprintf("uid-%d", i)
			if res := submit(t, q, "inflight", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/" + uid, UID: uid}); res.Err != nil {
				t.Error(res.Err)
			}
		})
	}
	wg.Wait()
	if s := q.Counts(); s.Creates != 20 || s.Lost != 0 {
		t.Errorf("stats = %+v; want 20 creates and none lost", s)
	}
}

// TestPoolFullOnlyFromTheAPIServer: an address this agent lost a race for
// a moment ago, and that its winner released since, is still handed out:
// "pool full" is decided by the API server's claims, not by the agent's
// memory of recent races.
func TestPoolFullOnlyFromTheAPIServer(t *testing.T) {
	newPool(t, "lastone", "10.87.0.0/24", []string{"10.87.0.10"}, nil)
	// q's watch has seen no claim yet: it tries the address, loses the
	// create and remembers the loss for a while.
	q := claimq.New(claimq.Deps{Pools: latest{api}, Claims: noClaimsYet{api}, API: api, Writer: api, Node: "n1"})
	other := agent("n2", 0)
	won := submit(t, other, "lastone", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/w", UID: "uid-w"})
	if won.Err != nil {
		t.Fatal(won.Err)
	}
	if res := submit(t, q, "lastone", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/l", UID: "uid-l"}); !errors.Is(res.Err, poolq.ErrPoolExhausted) {
		t.Fatalf("allocate from a full pool: %+v; want ErrPoolExhausted", res)
	}
	if lost := q.Counts().Lost; lost != 1 {
		t.Fatalf("%d creates lost; want 1 (the test relies on the agent remembering it)", lost)
	}
	if res := submit(t, other, "lastone", poolq.Op{Kind: poolq.Release, PodKey: "ns/w", UID: "uid-w", IPs: []netip.Addr{won.IP}}); res.Released != 1 {
		t.Fatalf("release = %+v", res)
	}
	if res := submit(t, q, "lastone", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/l", UID: "uid-l"}); res.Err != nil || res.IP != won.IP {
		t.Errorf("allocate after the release = %+v; want %s", res, won.IP)
	}
}

// noClaimsYet is a watch of claims that has not seen any yet.
type noClaimsYet struct{ client.Reader }

func (noClaimsYet) List(_ context.Context, list client.ObjectList, _ ...client.ListOption) error {
	if l, ok := list.(*ipamclaimsv1alpha1.SpiderIPClaimList); ok {
		l.Items = nil
		return nil
	}
	return errors.New("noClaimsYet lists SpiderIPClaims only")
}
