// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
)

// The tests of this file each reproduce a way an address was given twice
// or leaked when an API write failed or an incarnation changed mid-way.

var poolA = func() client.Object { return newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}) }

func annoA() podOpt { return withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`) }

// dropRecord removes the record of ip from pool, as another writer would.
func dropRecord(t *testing.T, c client.Client, pool, ip string) {
	t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{}
	if err := c.Get(t.Context(), client.ObjectKey{Name: pool}, p); err != nil {
		t.Fatal(err)
	}
	recs, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
	if err != nil {
		t.Fatal(err)
	}
	delete(recs, ip)
	p.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(recs)
	n := int64(len(recs))
	p.Status.AllocatedIPCount = &n
	if err := c.Status().Update(t.Context(), p); err != nil {
		t.Fatal(err)
	}
}

// terminate deletes pod while a finalizer keeps it Terminating.
func terminate(t *testing.T, c client.Client, pod *corev1.Pod) {
	t.Helper()
	cur := &corev1.Pod{}
	if err := c.Get(t.Context(), client.ObjectKeyFromObject(pod), cur); err != nil {
		t.Fatal(err)
	}
	cur.Finalizers = append(cur.Finalizers, "test/hold")
	if err := c.Update(t.Context(), cur); err != nil {
		t.Fatal(err)
	}
	deletePod(t, c, cur)
}

// successor deletes StatefulSet pod old (running its DEL when del is set:
// the ordinal is in range, so the addresses and endpoint stay) and creates
// the next pod of the same name, not yet allocated.
func successor(t *testing.T, e *env, old *corev1.Pod, del bool) *corev1.Pod {
	t.Helper()
	deletePod(t, e.client, old)
	if del {
		if err := e.svc.Release(t.Context(), delReq(old)); err != nil {
			t.Fatal(err)
		}
	}
	next := stsPod("0", annoA(), withUID("uid-db-0-next"))
	if err := e.client.Create(t.Context(), next); err != nil {
		t.Fatal(err)
	}
	return next
}

// An endpoint write that etcd commits but the API server answers with 500
// may have landed: the address is kept for the retry, never handed to
// another pod meanwhile.
func TestEndpointWriteCommittedThen500KeepsAddress(t *testing.T) {
	a, b := newPod("a-pod", annoA()), newPod("b-pod", annoA())
	failed := false
	funcs := interceptor.Funcs{Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
		if err := c.Create(ctx, obj, opts...); err != nil || failed || obj.GetName() != "a-pod" {
			return err
		}
		failed = true
		return apierrors.NewInternalError(errors.New("etcdserver: request timed out"))
	}}
	e := newEnv(t, testConfig(), funcs, poolA(), a, b)
	if _, err := e.svc.Allocate(t.Context(), addReq(a, "eth0")); err == nil {
		t.Fatal("ADD of a-pod succeeded although its endpoint write answered 500")
	}
	gotB := allocateAll(t, e, b)
	gotA := allocateAll(t, e, a) // the kubelet retries
	if gotA[0] == gotB[0] {
		t.Fatalf("a-pod and b-pod both got %s", gotA[0])
	}
}

// The endpoint of the pod's UID is not trusted on its own: an address its
// pool meanwhile gave to another pod is never handed out twice: the ADD
// allocates that interface anew (a DEL whose endpoint update failed left
// the endpoint listing freed addresses; chaos seeds 1004 and 1005); one
// freed meanwhile is recorded again.
func TestRecordedEndpointIsCheckedAgainstPool(t *testing.T) {
	a := newPod("a-pod", annoA())
	e := newEnv(t, testConfig(), interceptor.Funcs{}, poolA(), a)
	first := allocateAll(t, e, a)
	dropRecord(t, e.client, "a", "10.1.0.10")
	if again := allocateAll(t, e, a); again[0] != first[0] {
		t.Fatalf("retried ADD got %v, want %v", again, first)
	}
	if diff := cmp.Diff(map[string]string{"10.1.0.10": "uid-a-pod"}, records(t, e.client, "a")); diff != "" {
		t.Errorf("freed address not recorded again (-want +got):\n%s", diff)
	}
	dropRecord(t, e.client, "a", "10.1.0.10")
	if err := takeAddress(t.Context(), e.client, "a", "10.1.0.10", "default/other", "uid-other"); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Allocate(t.Context(), addReq(a, "eth0"))
	if err != nil {
		t.Fatalf("ADD with an address held by another pod: %v, want a new address", err)
	}
	if got := addrs(res); len(got) != 1 || got[0] == first[0] {
		t.Fatalf("ADD with an address held by another pod got %v, want one address other than %v", got, first)
	}
	want := map[string]string{"10.1.0.10": "uid-other", "10.1.0.11": "uid-a-pod"}
	if diff := cmp.Diff(want, records(t, e.client, "a")); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if ips := endpoint(t, e.client, "a-pod").Status.Current.IPs; len(ips) != 1 || ips[0].IPv4 == nil || *ips[0].IPv4 != "10.1.0.11/24" {
		t.Errorf("endpoint lists %+v, want only 10.1.0.11/24", ips)
	}
}

// A StatefulSet ADD that adopted the previous incarnation's addresses and
// then lost its endpoint (deleted by the GC meanwhile) gives them up: no
// record of the dead incarnation is left behind.
func TestFailedAdoptionIsUndone(t *testing.T) {
	old := stsPod("0", annoA())
	e := newEnv(t, testConfig(), interceptor.Funcs{}, poolA(), old, statefulSet(1))
	allocateAll(t, e, old)
	next := successor(t, e, old, true)
	e.store.BeforeWrite = func(ctx context.Context, m ipamtest.Method, obj client.Object) error {
		if m != ipamtest.UpdateEndpoint {
			return nil
		}
		e.store.BeforeWrite = nil
		ep := endpoint(t, e.client, "db-0")
		ep.Finalizers = nil
		if err := e.client.Update(ctx, ep); err != nil {
			return err
		}
		if err := e.client.Delete(ctx, ep); err != nil {
			return err
		}
		terminate(t, e.client, next)
		return nil
	}
	if _, err := e.svc.Allocate(t.Context(), addReq(next, "eth0")); !errors.Is(err, ipam.ErrPodNotAlive) {
		t.Fatalf("err = %v, want ErrPodNotAlive", err)
	}
	if recs := records(t, e.client, "a"); len(recs) != 0 {
		t.Errorf("pool keeps %v after the adoption failed", recs)
	}
}

// DEL frees the records of its UID that no endpoint lists (an ADD that
// failed after its pool write).
func TestReleaseFreesRecordsWithoutEndpoint(t *testing.T) {
	pod := newPod("p", annoA())
	e := newEnv(t, testConfig(), interceptor.Funcs{}, poolA(), pod)
	if err := takeAddress(t.Context(), e.client, "a", "10.1.0.15", "default/p", "uid-p"); err != nil {
		t.Fatal(err)
	}
	deletePod(t, e.client, pod)
	if err := e.svc.Release(t.Context(), delReq(pod)); err != nil {
		t.Fatal(err)
	}
	if recs := records(t, e.client, "a"); len(recs) != 0 {
		t.Errorf("pool keeps %v", recs)
	}
}

// A StatefulSet pod whose old address was freed and taken by another pod
// meanwhile gets a new address instead of failing forever.
func TestAdoptionOfTakenAddressAllocatesAnew(t *testing.T) {
	old := stsPod("0", annoA())
	e := newEnv(t, testConfig(), interceptor.Funcs{}, poolA(), old, statefulSet(1))
	first := allocateAll(t, e, old)
	next := successor(t, e, old, true)
	dropRecord(t, e.client, "a", "10.1.0.10")
	if err := takeAddress(t.Context(), e.client, "a", "10.1.0.10", "default/other", "uid-other"); err != nil {
		t.Fatal(err)
	}
	got := allocateAll(t, e, next)
	if got[0] == first[0] {
		t.Fatalf("got %v, the address another pod holds", got)
	}
	want := map[string]string{"10.1.0.10": "uid-other", "10.1.0.11": "uid-db-0-next"}
	if diff := cmp.Diff(want, records(t, e.client, "a")); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

// A late ADD of a deleted StatefulSet pod, seen alive by a lagging cache,
// does not take the addresses back from its live successor.
func TestStaleIncarnationDoesNotAdopt(t *testing.T) {
	old := stsPod("0", annoA())
	e := newEnv(t, testConfig(), interceptor.Funcs{}, poolA(), old, statefulSet(1))
	allocateAll(t, e, old)
	next := successor(t, e, old, false)
	allocateAll(t, e, next)
	svc := serviceOver(t, e, laggingCache{Reader: e.client, obj: old})
	if _, err := svc.Allocate(t.Context(), addReq(old, "eth0")); !errors.Is(err, ipam.ErrPodNotAlive) {
		t.Fatalf("late ADD of the old incarnation: err = %v, want ErrPodNotAlive", err)
	}
	if uid := endpoint(t, e.client, "db-0").Status.Current.UID; uid != "uid-db-0-next" {
		t.Errorf("endpoint records %s, want the live successor", uid)
	}
}

// laggingCache still holds obj, changed or replaced on the API server
// since: a Get of its kind and key answers the old copy.
type laggingCache struct {
	client.Reader
	obj client.Object
}

func (l laggingCache) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if reflect.TypeOf(obj) == reflect.TypeOf(l.obj) && key == client.ObjectKeyFromObject(l.obj) {
		reflect.ValueOf(obj).Elem().Set(reflect.ValueOf(l.obj.DeepCopyObject()).Elem())
		return nil
	}
	return l.Reader.Get(ctx, key, obj, opts...)
}

// serviceOver is a ready service of e that reads cache instead of e's
// client for its cached reads.
func serviceOver(t *testing.T, e *env, cache client.Reader) *ipam.Service {
	t.Helper()
	svc, err := ipam.New(testConfig(), ipam.Deps{Cache: cache, API: e.client, Store: e.store})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	return svc
}

// The CNI GC never frees a pod that exists with the endpoint's UID, even a
// terminating one the agent has no sandbox record of (after a restart): it
// may still serve within its grace period.
func TestCNIGCKeepsTerminatingPod(t *testing.T) {
	pod := newPod("p", annoA())
	e := newEnv(t, testConfig(), interceptor.Funcs{}, poolA(), pod)
	allocateAll(t, e, pod)
	terminate(t, e.client, pod)
	if n, err := e.svc.GC(t.Context(), testNode, nil); err != nil || n != 0 {
		t.Fatalf("GC released %d endpoints (err %v), want 0", n, err)
	}
	if recs := records(t, e.client, "a"); len(recs) != 1 {
		t.Errorf("records = %v, want the terminating pod's", recs)
	}
}

// An agent serves only the pods of its own node.
func TestPodOfAnotherNodeIsRefused(t *testing.T) {
	pod := newPod("p", annoA(), func(p *corev1.Pod) { p.Spec.NodeName = "node2" })
	e := newEnv(t, testConfig(), interceptor.Funcs{}, poolA(), pod)
	if _, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0")); !errors.Is(err, ipam.ErrWrongNode) {
		t.Errorf("ADD: err = %v, want ErrWrongNode", err)
	}
	terminate(t, e.client, pod)
	if err := e.svc.Release(t.Context(), delReq(pod)); !errors.Is(err, ipam.ErrWrongNode) {
		t.Errorf("DEL: err = %v, want ErrWrongNode", err)
	}
	all := ipam.ReleaseAllRequest{ReleaseRequest: delReq(pod)}
	if err := e.svc.ReleaseAll(t.Context(), all); !errors.Is(err, ipam.ErrWrongNode) {
		t.Errorf("batch release: err = %v, want ErrWrongNode", err)
	}
}

// A conflict release of a StatefulSet pod is refused: its address is fixed.
func TestConflictReleaseOfStatefulSetPodIsRefused(t *testing.T) {
	pod := stsPod("0", annoA())
	e := newEnv(t, testConfig(), interceptor.Funcs{}, poolA(), pod, statefulSet(1))
	allocateAll(t, e, pod)
	req := ipam.ReleaseAllRequest{ReleaseRequest: delReq(pod), IsReleaseConflictIPs: true}
	if err := e.svc.ReleaseAll(t.Context(), req); !errors.Is(err, ipam.ErrStaticPod) {
		t.Fatalf("err = %v, want ErrStaticPod", err)
	}
	if recs := records(t, e.client, "a"); len(recs) != 1 {
		t.Errorf("records = %v, want the pod's", recs)
	}
}

// An entry written without an interface name (as Spiderpool writes them)
// is named after the interface that asks for it, so the answer is valid.
func TestUnnamedEntryGetsInterfaceName(t *testing.T) {
	pod := newPod("p", annoA())
	e := newEnv(t, testConfig(), interceptor.Funcs{}, poolA(), pod)
	allocateAll(t, e, pod)
	ep := endpoint(t, e.client, "p")
	ep.Status.Current.IPs[0].NIC = ""
	if err := e.client.Update(t.Context(), ep); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.NIC("eth0"); !ok {
		t.Errorf("answer %v has no eth0", addrs(res))
	}
	if nic := endpoint(t, e.client, "p").Status.Current.IPs[0].NIC; nic != "eth0" {
		t.Errorf("endpoint entry named %q, want eth0", nic)
	}
}

// DEL of one interface frees that interface only: the others still carry
// their addresses until their own DEL.
func TestReleaseOfOneInterface(t *testing.T) {
	anno := withAnno(annotation.KeyIPPools, `[{"interface":"eth0","ipv4":["a"]},{"interface":"net1","ipv4":["b"]}]`)
	pod := newPod("p", anno)
	e := newEnv(t, testConfig(), interceptor.Funcs{}, poolA(), newPool("b", "10.2.0.0/24", []string{"10.2.0.10"}), pod)
	allocateAll(t, e, pod)
	if _, err := e.svc.Allocate(t.Context(), addReq(pod, "net1")); err != nil {
		t.Fatal(err)
	}
	deletePod(t, e.client, pod)
	net1 := delReq(pod)
	net1.IfName = "net1"
	if err := e.svc.Release(t.Context(), net1); err != nil {
		t.Fatal(err)
	}
	if a, b := records(t, e.client, "a"), records(t, e.client, "b"); len(a) != 1 || len(b) != 0 {
		t.Fatalf("after DEL net1: pool a %v, pool b %v; want eth0's kept, net1's freed", a, b)
	}
	if err := e.svc.Release(t.Context(), delReq(pod)); err != nil {
		t.Fatal(err)
	}
	if a := records(t, e.client, "a"); len(a) != 0 {
		t.Errorf("after DEL eth0: pool a %v", a)
	}
}

// DEL of a finished pod (a completed Job's pod, whose object stays) frees
// its addresses and deletes its endpoint: a kept endpoint would go on
// listing addresses other pods get.
func TestReleaseOfFinishedPodDeletesEndpoint(t *testing.T) {
	pod := newPod("p", annoA(), func(p *corev1.Pod) { p.Spec.RestartPolicy = corev1.RestartPolicyNever })
	e := newEnv(t, testConfig(), interceptor.Funcs{}, poolA(), pod)
	allocateAll(t, e, pod)
	pod.Status.Phase = corev1.PodSucceeded
	if err := e.client.Status().Update(t.Context(), pod); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Release(t.Context(), delReq(pod)); err != nil {
		t.Fatal(err)
	}
	if recs := records(t, e.client, "a"); len(recs) != 0 {
		t.Errorf("pool keeps %v", recs)
	}
	if !endpointGone(t, e.client, "p") {
		t.Error("the finished pod's endpoint is kept, listing a freed address")
	}
}

// A dual-stack StatefulSet pod whose old IPv6 address another pod took
// meanwhile, while its old IPv4 address is still free, gets a new IPv6
// address and holds one IPv4 record only: the pools adopt on their own, so
// the IPv4 pool gives the old address to the new UID before the IPv6 pool
// refuses, and the allocation anew must reuse it or free it. (The first
// steps of chaos seed 1030, whose pod ended with two IPv4 records; this
// replay holds, so the run's later steps made the difference.)
func TestPartlyLostAdoptionKeepsNoOldAddress(t *testing.T) {
	poolB := newPool("b", "fd00:1::/64", []string{"fd00:1::10-fd00:1::20"})
	dual := withAnno(annotation.KeyIPPool, `{"ipv4":["a"],"ipv6":["b"]}`)
	old := stsPod("0", dual)
	e := newEnv(t, testConfig(), interceptor.Funcs{}, poolA(), poolB, old, statefulSet(1))
	first := allocateAll(t, e, old)
	deletePod(t, e.client, old)
	if err := e.svc.Release(t.Context(), delReq(old)); err != nil {
		t.Fatal(err)
	}
	next := stsPod("0", dual, withUID("uid-db-0-next"))
	if err := e.client.Create(t.Context(), next); err != nil {
		t.Fatal(err)
	}
	dropRecord(t, e.client, "b", "fd00:1::10")
	if err := takeAddress(t.Context(), e.client, "b", "fd00:1::10", "default/other", "uid-other"); err != nil {
		t.Fatal(err)
	}
	got := allocateAll(t, e, next)
	if len(got) != 2 || got[1] == first[1] {
		t.Fatalf("got %v (first %v); want a new IPv6 address", got, first)
	}
	held := 0
	for _, uid := range records(t, e.client, "a") {
		if uid == "uid-db-0-next" {
			held++
		}
	}
	if held != 1 {
		t.Errorf("the pod holds %d IPv4 records (%v), got %v; want only the address it got", held, records(t, e.client, "a"), got)
	}
}

// Seed 1030 of the chaos suite: a StatefulSet pod's ADD read, from a lagging
// cache, the endpoint of its previous incarnation after its own first ADD
// had already replaced it. It adopted a freed address of that old entry,
// lost the other family, and its endpoint write then conflicted. The undo
// must free the adopted address that the pod's current endpoint does not
// list; it used to leave it recorded for the pod, unused, for as long as the
// pod lived.
func TestStaleAdoptionUndoFreesUnlistedAddress(t *testing.T) {
	poolB := newPool("b", "fd00:1::/64", []string{"fd00:1::10-fd00:1::20"})
	dual := withAnno(annotation.KeyIPPool, `{"ipv4":["a"],"ipv6":["b"]}`)
	old := stsPod("0", dual)
	e := newEnv(t, testConfig(), interceptor.Funcs{}, poolA(), poolB, old, statefulSet(1))
	allocateAll(t, e, old)
	oldEP := endpoint(t, e.client, "db-0")
	deletePod(t, e.client, old)
	next := stsPod("0", dual, withUID("uid-db-0-next"))
	if err := e.client.Create(t.Context(), next); err != nil {
		t.Fatal(err)
	}
	for pool, ip := range map[string]string{"a": "10.1.0.10", "b": "fd00:1::10"} {
		if err := takeAddress(t.Context(), e.client, pool, ip, "default/other", "uid-other"); err != nil {
			t.Fatal(err)
		}
	}
	got := allocateAll(t, e, next) // both addresses lost: new ones
	dropRecord(t, e.client, "a", "10.1.0.10")
	svc := serviceOver(t, e, laggingCache{Reader: e.client, obj: oldEP})
	res, err := svc.Allocate(t.Context(), addReq(next, "eth0"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, addrs(res)); diff != "" {
		t.Errorf("repeated ADD (-first +repeated):\n%s", diff)
	}
	want := map[string]string{"10.1.0.11": "uid-db-0-next"}
	if diff := cmp.Diff(want, records(t, e.client, "a")); diff != "" {
		t.Errorf("IPv4 records (-want +got):\n%s", diff)
	}
}

// An agent may cache only its own node's SpiderEndpoints. A StatefulSet
// pod whose endpoint records another node is read from the API server, so
// that its first attempt adopts the address: no address allocated and
// rolled back, no endpoint create refused.
func TestMovedStatefulSetPodReadsEndpointFromAPI(t *testing.T) {
	old := stsPod("0", annoA())
	e := newEnv(t, testConfig(), interceptor.Funcs{}, poolA(), old, statefulSet(1))
	first := allocateAll(t, e, old)
	next := successor(t, e, old, false)
	svc := serviceOver(t, e, blindToEndpoints{e.client})
	creates, poolWrites := e.store.Calls(ipamtest.CreateEndpoint), e.store.Calls(ipamtest.UpdatePoolStatus)
	res, err := svc.Allocate(t.Context(), addReq(next, "eth0"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, addrs(res)); diff != "" {
		t.Errorf("successor's address (-old +new):\n%s", diff)
	}
	if n := e.store.Calls(ipamtest.CreateEndpoint) - creates; n != 0 {
		t.Errorf("%d endpoint creates; want none: the endpoint exists", n)
	}
	if n := e.store.Calls(ipamtest.UpdatePoolStatus) - poolWrites; n != 1 {
		t.Errorf("%d pool writes; want 1, the adoption", n)
	}
}
