// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
)

func endpointGone(t *testing.T, c client.Reader, name string) bool {
	t.Helper()
	err := c.Get(t.Context(), client.ObjectKey{Namespace: testNS, Name: name}, &spiderpoolv2beta1.SpiderEndpoint{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return apierrors.IsNotFound(err)
}

func deletePod(t *testing.T, c client.Client, pod *corev1.Pod) {
	t.Helper()
	if err := c.Delete(t.Context(), pod); err != nil {
		t.Fatal(err)
	}
}

func TestReleaseSemantics(t *testing.T) {
	anno := withAnno(annotation.KeyIPPools, `[{"interface":"eth0","ipv4":["a"],"ipv6":["a6"]},{"interface":"net1","ipv4":["b"]}]`)
	pools := []client.Object{
		newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}),
		newPool("a6", "fd01::/64", []string{"fd01::10-fd01::20"}),
		newPool("b", "10.2.0.0/24", []string{"10.2.0.10-10.2.0.20"}),
	}
	allEmpty := func(t *testing.T, e *env) {
		t.Helper()
		for _, p := range []string{"a", "a6", "b"} {
			if recs := records(t, e.client, p); len(recs) != 0 {
				t.Errorf("pool %s keeps %v", p, recs)
			}
		}
	}

	t.Run("live pod keeps everything", func(t *testing.T) {
		pod := newPod("p", anno)
		e := newEnv(t, testConfig(), interceptor.Funcs{}, append(pools, pod)...)
		allocateAll(t, e, pod)
		if err := e.svc.Release(t.Context(), delReq(pod)); err != nil {
			t.Fatal(err)
		}
		if n := len(records(t, e.client, "b")); n != 1 {
			t.Errorf("pool b has %d records after DEL of a live pod, want 1", n)
		}
	})

	t.Run("gone pod releases every NIC, twice is fine", func(t *testing.T) {
		pod := newPod("p", anno)
		e := newEnv(t, testConfig(), interceptor.Funcs{}, append(pools, pod)...)
		allocateAll(t, e, pod)
		deletePod(t, e.client, pod)
		for range 2 {
			if err := e.svc.Release(t.Context(), delReq(pod)); err != nil {
				t.Fatal(err)
			}
		}
		allEmpty(t, e)
		if ep := endpoint(t, e.client, "p"); len(ep.Finalizers) != 0 {
			t.Errorf("finalizers = %v, want none (the owner reference deletes it)", ep.Finalizers)
		}
	})

	t.Run("without UID in the request only a gone pod is released", func(t *testing.T) {
		pod := newPod("p", anno)
		e := newEnv(t, testConfig(), interceptor.Funcs{}, append(pools, pod)...)
		allocateAll(t, e, pod)
		pod.Finalizers = []string{"hold"}
		if err := e.client.Update(t.Context(), pod); err != nil {
			t.Fatal(err)
		}
		deletePod(t, e.client, pod) // terminating: held by the finalizer
		req := delReq(pod)
		req.PodUID, req.IfName = "", ""
		if err := e.svc.Release(t.Context(), req); err != nil {
			t.Fatal(err)
		}
		if n := len(records(t, e.client, "b")); n != 1 {
			t.Errorf("a DEL without UID released a terminating pod of the name (it may be a successor)")
		}
		cur := &corev1.Pod{}
		if err := e.client.Get(t.Context(), client.ObjectKeyFromObject(pod), cur); err != nil {
			t.Fatal(err)
		}
		cur.Finalizers = nil
		if err := e.client.Update(t.Context(), cur); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Release(t.Context(), req); err != nil {
			t.Fatal(err)
		}
		allEmpty(t, e)
	})

	t.Run("only records of the released UID go", func(t *testing.T) {
		pod := newPod("p", anno)
		e := newEnv(t, testConfig(), interceptor.Funcs{}, append(pools, pod)...)
		allocateAll(t, e, pod)
		if err := takeAddress(t.Context(), e.client, "b", "10.2.0.10", "default/p", "uid-impostor"); err != nil {
			t.Fatal(err)
		}
		deletePod(t, e.client, pod)
		if err := e.svc.Release(t.Context(), delReq(pod)); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]string{"10.2.0.10": "uid-impostor"}, records(t, e.client, "b")); diff != "" {
			t.Errorf("pool b (-want +got):\n%s", diff)
		}
	})

	t.Run("stale DEL of an old incarnation", func(t *testing.T) {
		pod := newPod("p", anno)
		e := newEnv(t, testConfig(), interceptor.Funcs{}, append(pools, pod)...)
		allocateAll(t, e, pod)
		old := delReq(pod)
		old.PodUID = "uid-older"
		deletePod(t, e.client, pod)
		if err := e.svc.Release(t.Context(), old); err != nil {
			t.Fatal(err)
		}
		if n := len(records(t, e.client, "a")); n != 1 {
			t.Errorf("a DEL for another UID released the current allocation")
		}
	})

	// The endpoint lets go before the pools free: an address freed while an
	// endpoint with its finalizer still lists it would have two holders.
	all := func(pod *corev1.Pod) ipam.ReleaseRequest {
		req := delReq(pod)
		req.IfName = "" // every interface
		return req
	}
	boom := apierrors.NewBadRequest("boom") // definite: a write with no answer would be re-read

	t.Run("a failed pool write leaves the endpoint without its finalizer; the retry frees the rest", func(t *testing.T) {
		pod := newPod("p", anno)
		e := newEnv(t, testConfig(), interceptor.Funcs{}, append(pools, pod)...)
		allocateAll(t, e, pod)
		deletePod(t, e.client, pod)
		e.store.FailNext(ipamtest.UpdatePoolStatus, boom)
		if err := e.svc.Release(t.Context(), all(pod)); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want the injected failure", err)
		}
		if ep := endpoint(t, e.client, "p"); len(ep.Finalizers) != 0 {
			t.Errorf("finalizers = %v while the pools free its addresses, want none", ep.Finalizers)
		}
		if err := e.svc.Release(t.Context(), all(pod)); err != nil {
			t.Fatal(err)
		}
		allEmpty(t, e)
	})

	t.Run("a failed finalizer removal frees nothing; the retry frees everything", func(t *testing.T) {
		pod := newPod("p", anno)
		e := newEnv(t, testConfig(), interceptor.Funcs{}, append(pools, pod)...)
		allocateAll(t, e, pod)
		deletePod(t, e.client, pod)
		e.store.FailNext(ipamtest.RemoveEndpointFinalizer, boom)
		if err := e.svc.Release(t.Context(), all(pod)); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want the injected failure", err)
		}
		if ep := endpoint(t, e.client, "p"); len(ep.Finalizers) == 0 {
			t.Error("finalizer gone although its removal failed")
		}
		for _, p := range []string{"a", "a6", "b"} {
			if n := len(records(t, e.client, p)); n != 1 {
				t.Errorf("pool %s has %d records, want 1: nothing is freed while the endpoint holds them", p, n)
			}
		}
		if err := e.svc.Release(t.Context(), all(pod)); err != nil {
			t.Fatal(err)
		}
		allEmpty(t, e)
	})

	t.Run("an endpoint deleted before a failed pool write: the retry frees from the records", func(t *testing.T) {
		pod := newPod("p", anno)
		e := newEnv(t, testConfig(), interceptor.Funcs{}, append(pools, pod)...)
		allocateAll(t, e, pod)
		pod.Status.Phase, pod.Spec.RestartPolicy = corev1.PodSucceeded, corev1.RestartPolicyNever
		if err := e.client.Status().Update(t.Context(), pod); err != nil {
			t.Fatal(err)
		}
		e.store.FailNext(ipamtest.UpdatePoolStatus, boom)
		if err := e.svc.Release(t.Context(), all(pod)); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want the injected failure", err)
		}
		if !endpointGone(t, e.client, "p") {
			t.Error("the endpoint of a finished pod is kept")
		}
		if err := e.svc.Release(t.Context(), all(pod)); err != nil {
			t.Fatal(err)
		}
		allEmpty(t, e)
	})
}

func TestStatefulSet(t *testing.T) {
	anno := func(pool string) podOpt { return withAnno(annotation.KeyIPPool, `{"ipv4":["`+pool+`"]}`) }
	pools := []client.Object{
		newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}),
		newPool("b", "10.2.0.0/24", []string{"10.2.0.10-10.2.0.20"}),
	}
	filler := newPod("filler", anno("a"))
	recreate := func(t *testing.T, e *env, old *corev1.Pod, opts ...podOpt) *corev1.Pod {
		t.Helper()
		deletePod(t, e.client, old)
		if err := e.svc.Release(t.Context(), delReq(old)); err != nil {
			t.Fatal(err)
		}
		pod := stsPod("0", append([]podOpt{withUID("uid-db-0-v2")}, opts...)...)
		if err := e.client.Create(t.Context(), pod); err != nil {
			t.Fatal(err)
		}
		return pod
	}

	t.Run("re-created pod keeps its address", func(t *testing.T) {
		pod := stsPod("0", anno("a"))
		e := newEnv(t, testConfig(), interceptor.Funcs{}, append(pools, pod, filler, statefulSet(2))...)
		first := allocateAll(t, e, pod)
		ep := endpoint(t, e.client, pod.Name)
		if len(ep.OwnerReferences) != 0 || ep.Status.OwnerControllerType != "StatefulSet" {
			t.Errorf("endpoint owners %v type %s; want none and StatefulSet", ep.OwnerReferences, ep.Status.OwnerControllerType)
		}
		reborn := recreate(t, e, pod, anno("a"))
		allocateAll(t, e, filler) // would take the address if it had been freed
		second := allocateAll(t, e, reborn)
		if diff := cmp.Diff(first, second); diff != "" {
			t.Errorf("address changed (-first +second):\n%s", diff)
		}
		want := map[string]string{"10.1.0.10": "uid-db-0-v2", "10.1.0.11": "uid-filler"}
		if diff := cmp.Diff(want, records(t, e.client, "a")); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
		if uid := endpoint(t, e.client, pod.Name).Status.Current.UID; uid != "uid-db-0-v2" {
			t.Errorf("endpoint UID = %s", uid)
		}
	})

	t.Run("pool changed: release and reallocate", func(t *testing.T) {
		pod := stsPod("0", anno("a"))
		e := newEnv(t, testConfig(), interceptor.Funcs{}, append(pools, pod, statefulSet(1))...)
		allocateAll(t, e, pod)
		reborn := recreate(t, e, pod, anno("b"))
		got := allocateAll(t, e, reborn)
		if diff := cmp.Diff([]string{"eth0:b=10.2.0.10/24"}, got); diff != "" {
			t.Errorf("addresses (-want +got):\n%s", diff)
		}
		if recs := records(t, e.client, "a"); len(recs) != 0 {
			t.Errorf("old pool keeps %v", recs)
		}
	})

	t.Run("scaled down: released and endpoint deleted", func(t *testing.T) {
		pod := stsPod("1", anno("a"))
		e := newEnv(t, testConfig(), interceptor.Funcs{}, append(pools, pod, statefulSet(1))...)
		allocateAll(t, e, pod)
		deletePod(t, e.client, pod)
		if err := e.svc.Release(t.Context(), delReq(pod)); err != nil {
			t.Fatal(err)
		}
		if recs := records(t, e.client, "a"); len(recs) != 0 {
			t.Errorf("pool keeps %v", recs)
		}
		if !endpointGone(t, e.client, pod.Name) {
			t.Error("endpoint of an out-of-range ordinal not deleted")
		}
	})

	t.Run("feature off: treated as stateless", func(t *testing.T) {
		cfg := testConfig()
		cfg.EnableStatefulSet = false
		pod := stsPod("0", anno("a"))
		e := newEnv(t, cfg, interceptor.Funcs{}, append(pools, pod, statefulSet(1))...)
		allocateAll(t, e, pod)
		deletePod(t, e.client, pod)
		if err := e.svc.Release(t.Context(), delReq(pod)); err != nil {
			t.Fatal(err)
		}
		if recs := records(t, e.client, "a"); len(recs) != 0 {
			t.Errorf("pool keeps %v", recs)
		}
	})
}

func TestReleaseAllQuarantines(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	allocateAll(t, e, pod)
	req := ipam.ReleaseAllRequest{ReleaseRequest: delReq(pod), ConflictIPs: []netip.Addr{netip.MustParseAddr("10.1.0.10")}}
	if err := e.svc.ReleaseAll(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if !endpointGone(t, e.client, "p") {
		t.Error("endpoint kept: the retried ADD would get the conflicting address back")
	}
	got := allocateAll(t, e, pod)
	if diff := cmp.Diff([]string{"eth0:a=10.1.0.11/24"}, got); diff != "" {
		t.Errorf("retried ADD (-want +got):\n%s", diff)
	}
}

func TestCheck(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, newPool("a", "10.1.0.0/24", []string{"10.1.0.10"}))
	if _, err := e.svc.Check(t.Context(), testNS, "p", "uid-p", "eth0"); !errors.Is(err, ipam.ErrNoAllocation) {
		t.Errorf("before ADD: %v", err)
	}
	allocateAll(t, e, pod)
	res, err := e.svc.Check(t.Context(), testNS, "p", "uid-p", "eth0")
	if err != nil || addrs(res)[0] != "eth0:a=10.1.0.10/24" {
		t.Errorf("Check = %v, %v", res, err)
	}
	for _, tc := range [][2]string{{"uid-other", "eth0"}, {"uid-p", "net1"}} {
		if _, err := e.svc.Check(t.Context(), testNS, "p", tc[0], tc[1]); !errors.Is(err, ipam.ErrNoAllocation) {
			t.Errorf("Check(%v) = %v, want ErrNoAllocation", tc, err)
		}
	}
}

func TestGC(t *testing.T) {
	anno := withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`)
	live, gone, kept := newPod("live", anno), newPod("gone", anno), newPod("kept", anno)
	dead := newPod("dead", anno)
	e := newEnv(t, testConfig(), interceptor.Funcs{}, live, gone, kept, dead,
		newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	allocateAll(t, e, live, gone, kept, dead)
	deletePod(t, e.client, gone)
	deletePod(t, e.client, kept)
	dead.Status.Phase, dead.Status.Reason = corev1.PodFailed, "Evicted"
	if err := e.client.Status().Update(t.Context(), dead); err != nil {
		t.Fatal(err)
	}
	other := &spiderpoolv2beta1.SpiderEndpoint{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: "elsewhere"},
		Status: spiderpoolv2beta1.WorkloadEndpointStatus{Current: spiderpoolv2beta1.PodIPAllocation{UID: "x", Node: "node2"}}}
	if err := e.client.Create(t.Context(), other); err != nil {
		t.Fatal(err)
	}
	n, err := e.svc.GC(t.Context(), testNode, []string{"c-live", "c-kept"})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("GC released %d endpoints, want 1 (gone; the dead pod still exists: the controller frees it)", n)
	}
	want := map[string]string{"10.1.0.10": "uid-live", "10.1.0.12": "uid-kept", "10.1.0.13": "uid-dead"}
	if diff := cmp.Diff(want, records(t, e.client, "a")); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}
