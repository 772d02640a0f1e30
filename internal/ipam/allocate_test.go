// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
)

// allocateAll allocates eth0 for each pod and returns pool=address.
func allocateAll(t *testing.T, e *env, pods ...*corev1.Pod) []string {
	t.Helper()
	var got []string
	for _, pod := range pods {
		res, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
		if err != nil {
			t.Fatalf("pod %s: %v", pod.Name, err)
		}
		got = append(got, addrs(res)...)
	}
	return got
}

func podsWith(n int, opts ...podOpt) ([]*corev1.Pod, []client.Object) {
	var pods []*corev1.Pod
	var objs []client.Object
	for i := range n {
		pod := newPod(string(rune('a'+i)), opts...)
		pods, objs = append(pods, pod), append(objs, pod)
	}
	return pods, objs
}

func TestAlternatePoolOnExhaustion(t *testing.T) {
	pods, objs := podsWith(4, withAnno(annotation.KeyIPPool, `{"ipv4":["small","big"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, append(objs[:3],
		newPool("small", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.11"}),
		newPool("big", "10.2.0.0/24", []string{"10.2.0.10-10.2.0.11"}))...)
	got := allocateAll(t, e, pods[:3]...)
	want := []string{"eth0:small=10.1.0.10/24", "eth0:small=10.1.0.11/24", "eth0:big=10.2.0.10/24"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
}

func TestExhaustedEverywhere(t *testing.T) {
	pods, objs := podsWith(2, withAnno(annotation.KeyIPPool, `{"ipv4":["one"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, append(objs, newPool("one", "10.1.0.0/24", []string{"10.1.0.10"}))...)
	allocateAll(t, e, pods[0])
	_, err := e.svc.Allocate(t.Context(), addReq(pods[1], "eth0"))
	if !errors.Is(err, ipam.ErrPoolExhausted) {
		t.Fatalf("err = %v, want ErrPoolExhausted", err)
	}
}

func TestReservedAndExcludedNeverGiven(t *testing.T) {
	pods, objs := podsWith(3, withAnno(annotation.KeyIPPool, `{"ipv4":["p"],"ipv6":["p6"]}`))
	reserved := &spiderpoolv2beta1.SpiderReservedIP{ObjectMeta: metav1.ObjectMeta{Name: "r"},
		Spec: spiderpoolv2beta1.ReservedIPSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv4), IPs: []string{"10.1.0.10", "10.1.0.13"}}}
	reserved6 := &spiderpoolv2beta1.SpiderReservedIP{ObjectMeta: metav1.ObjectMeta{Name: "r6"},
		Spec: spiderpoolv2beta1.ReservedIPSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv6), IPs: []string{"fd01::1-fd01::2"}}}
	pool := newPool("p", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.15"},
		withSpec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.ExcludeIPs = []string{"10.1.0.11"} }))
	pool6 := newPool("p6", "fd01::/64", []string{"fd01::1-fd01::5"})
	e := newEnv(t, testConfig(), interceptor.Funcs{}, append(objs, reserved, reserved6, pool, pool6)...)
	got := allocateAll(t, e, pods...)
	want := []string{
		"eth0:p=10.1.0.12/24", "eth0:p6=fd01::3/64",
		"eth0:p=10.1.0.14/24", "eth0:p6=fd01::4/64",
		"eth0:p=10.1.0.15/24", "eth0:p6=fd01::5/64",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	// A reservation made now applies to the next allocation.
	more := newPod("late", withAnno(annotation.KeyIPPool, `{"ipv4":["p"]}`))
	if err := e.client.Delete(t.Context(), pods[0]); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Release(t.Context(), delReq(pods[0])); err != nil {
		t.Fatal(err)
	}
	reserved.Spec.IPs = append(reserved.Spec.IPs, "10.1.0.12")
	if err := e.client.Update(t.Context(), reserved); err != nil {
		t.Fatal(err)
	}
	if err := e.client.Create(t.Context(), more); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Allocate(t.Context(), addReq(more, "eth0")); !errors.Is(err, ipam.ErrPoolExhausted) {
		t.Fatalf("freed address is now reserved: err = %v, want ErrPoolExhausted", err)
	}
}

func TestMaxAllocatedIPs(t *testing.T) {
	pods, objs := podsWith(3, withAnno(annotation.KeyIPPool, `{"ipv4":["p"]}`))
	cfg := testConfig()
	cfg.MaxAllocatedIPs = 2
	e := newEnv(t, cfg, interceptor.Funcs{}, append(objs, newPool("p", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))...)
	allocateAll(t, e, pods[:2]...)
	if _, err := e.svc.Allocate(t.Context(), addReq(pods[2], "eth0")); !errors.Is(err, ipam.ErrPoolExhausted) {
		t.Fatalf("err = %v, want ErrPoolExhausted (record limit)", err)
	}
}

func TestIdempotentAllocate(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["p"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, newPool("p", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	first := allocateAll(t, e, pod)
	writes := e.store.Calls(ipamtest.UpdatePoolStatus)
	second := allocateAll(t, e, pod)
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("second ADD (-first +second):\n%s", diff)
	}
	if n := e.store.Calls(ipamtest.UpdatePoolStatus); n != writes {
		t.Errorf("second ADD wrote the pool (%d writes, want %d)", n, writes)
	}
}

// TestRetryReusesPoolRecord: an endpoint write whose outcome is unknown keeps
// the address; the retried ADD finds it by pod UID instead of taking another
// (Spiderpool #4295).
func TestRetryReusesPoolRecord(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["p"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, newPool("p", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	e.store.FailNext(ipamtest.CreateEndpoint, errors.New("connection reset")) // no API answer: ambiguous
	if _, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0")); err == nil {
		t.Fatal("want the injected failure")
	}
	got := allocateAll(t, e, pod)
	if diff := cmp.Diff([]string{"eth0:p=10.1.0.10/24"}, got); diff != "" {
		t.Errorf("retry (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"10.1.0.10": "uid-p"}, records(t, e.client, "p")); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestMultiNICRollback(t *testing.T) {
	anno := `[{"interface":"eth0","ipv4":["a"],"ipv6":["a6"]},{"interface":"net1","ipv4":["full"]}]`
	pod := newPod("p", withAnno(annotation.KeyIPPools, anno))
	holder := newPod("holder", withAnno(annotation.KeyIPPool, `{"ipv4":["full"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, holder,
		newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}),
		newPool("a6", "fd01::/64", []string{"fd01::10-fd01::20"}),
		newPool("full", "10.2.0.0/24", []string{"10.2.0.10"}))
	allocateAll(t, e, holder)
	for range 3 { // retries must not drain pool a
		if _, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0")); !errors.Is(err, ipam.ErrPoolExhausted) {
			t.Fatalf("err = %v, want ErrPoolExhausted", err)
		}
	}
	for _, name := range []string{"a", "a6"} {
		if recs := records(t, e.client, name); len(recs) != 0 {
			t.Errorf("pool %s keeps %v after the failed ADD", name, recs)
		}
	}
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	if err := e.client.Get(t.Context(), client.ObjectKey{Namespace: testNS, Name: "p"}, ep); err == nil {
		t.Errorf("endpoint written for a failed ADD: %+v", ep.Status)
	}
}

func TestMultiNICSharedPool(t *testing.T) {
	anno := `[{"interface":"eth0","ipv4":["shared"]},{"interface":"net1","ipv4":["shared"]}]`
	pod := newPod("p", withAnno(annotation.KeyIPPools, anno))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, newPool("shared", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	got := allocateAll(t, e, pod)
	want := []string{"eth0:shared=10.1.0.10/24", "net1:shared=10.1.0.11/24"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
}

func TestRoutesAndCleanGateway(t *testing.T) {
	anno := `[{"interface":"eth0","ipv4":["a"],"ipv6":["a6"]},{"interface":"net1","ipv4":["b"],"cleangateway":true}]`
	routes := `[{"dst":"10.8.0.0/16","gw":"10.1.0.254"},{"dst":"10.9.0.0/16","gw":"10.2.0.254"},` +
		`{"dst":"172.16.0.0/12","gw":"192.168.0.1"}]`
	pod := newPod("p", withAnno(annotation.KeyIPPools, anno), withAnno(annotation.KeyRoutes, routes))
	poolRoutes := withSpec(func(s *spiderpoolv2beta1.IPPoolSpec) {
		s.Routes = []spiderpoolv2beta1.Route{{Dst: "10.8.0.0/16", Gw: "10.1.0.2"}, {Dst: "10.7.0.0/16", Gw: "10.1.0.2"}}
	})
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod,
		newPool("a", "10.1.0.0/24", []string{"10.1.0.10"}, poolRoutes),
		newPool("a6", "fd01::/64", []string{"fd01::10"}),
		newPool("b", "10.2.0.0/24", []string{"10.2.0.10"}))
	res, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
	if err != nil {
		t.Fatal(err)
	}
	r := func(dst, gw string) ipam.Route {
		return ipam.Route{Dst: netip.MustParsePrefix(dst), GW: netip.MustParseAddr(gw)}
	}
	want := map[string][]ipam.Route{
		"eth0": {r("0.0.0.0/0", "10.1.0.1"), r("::/0", "fd01::1"), r("10.8.0.0/16", "10.1.0.254"), r("10.7.0.0/16", "10.1.0.2")},
		"net1": {r("10.9.0.0/16", "10.2.0.254")},
	}
	for nic, routes := range want {
		n, _ := res.NIC(nic)
		if diff := cmp.Diff(routes, n.Routes, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
			cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
			t.Errorf("%s routes (-want +got):\n%s", nic, diff)
		}
	}
	ep := endpoint(t, e.client, "p")
	if got := ep.Status.Current.IPs[1].CleanGateway; got == nil || !*got {
		t.Errorf("net1 endpoint cleanGateway = %v, want true", got)
	}
	// The idempotent answer is built the same way.
	again, err := e.svc.Allocate(t.Context(), addReq(pod, "net1"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(res, again, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("idempotent answer differs (-first +again):\n%s", diff)
	}
}

func TestEndpointRecord(t *testing.T) {
	pod := newPod("web-5d9f-x", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`),
		withOwner("apps/v1", "ReplicaSet", testReplicaSet))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, replicaSet(), newPool("a", "10.1.0.0/20", []string{"10.1.0.10"}))
	allocateAll(t, e, pod)
	ep := endpoint(t, e.client, pod.Name)
	want := spiderpoolv2beta1.WorkloadEndpointStatus{
		Current: spiderpoolv2beta1.PodIPAllocation{UID: "uid-web-5d9f-x", Node: testNode, IPs: []spiderpoolv2beta1.IPAllocationDetail{{
			NIC: "eth0", IPv4: ptr.To("10.1.0.10/20"), IPv4Pool: ptr.To("a"), IPv4Gateway: ptr.To("10.1.0.1"),
			CleanGateway: ptr.To(false), Vlan: ptr.To[int64](0),
		}}},
		OwnerControllerType: "Deployment", OwnerControllerName: "web",
	}
	if diff := cmp.Diff(want, ep.Status); diff != "" {
		t.Errorf("endpoint status (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{spiderpoolv2beta1.SpiderFinalizer}, ep.Finalizers); diff != "" {
		t.Errorf("finalizers (-want +got):\n%s", diff)
	}
	if len(ep.OwnerReferences) != 1 || ep.OwnerReferences[0].Kind != "Pod" || ep.OwnerReferences[0].UID != pod.UID {
		t.Errorf("owner references = %+v, want the pod", ep.OwnerReferences)
	}
}

func TestDeadPodsRefused(t *testing.T) {
	now := metav1.Time{Time: time.Now()}
	tests := []struct {
		name string
		opt  podOpt
	}{
		{"terminating", func(p *corev1.Pod) { p.DeletionTimestamp, p.Finalizers = &now, []string{"x"} }},
		{"succeeded", func(p *corev1.Pod) {
			p.Status.Phase, p.Spec.RestartPolicy = corev1.PodSucceeded, corev1.RestartPolicyNever
		}},
		{"failed never", func(p *corev1.Pod) {
			p.Status.Phase, p.Spec.RestartPolicy = corev1.PodFailed, corev1.RestartPolicyNever
		}},
		{"evicted", func(p *corev1.Pod) { p.Status.Phase, p.Status.Reason = corev1.PodFailed, "Evicted" }},
		{"other incarnation", withUID("uid-new")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := newPod("p", tt.opt)
			e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, newPool("a", "10.1.0.0/24", []string{"10.1.0.10"}, withDefault))
			req := addReq(pod, "eth0")
			req.PodUID = "uid-p"
			if _, err := e.svc.Allocate(t.Context(), req); !errors.Is(err, ipam.ErrPodNotAlive) {
				t.Fatalf("err = %v, want ErrPodNotAlive", err)
			}
		})
	}
}

func TestStatelessStaleEndpointReplaced(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	allocateAll(t, e, pod)
	// The pod is re-created under the same name before any DEL arrived.
	if err := e.client.Delete(t.Context(), pod); err != nil {
		t.Fatal(err)
	}
	reborn := newPod("p", withUID("uid-reborn"), withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	if err := e.client.Create(t.Context(), reborn); err != nil {
		t.Fatal(err)
	}
	allocateAll(t, e, reborn)
	if diff := cmp.Diff(map[string]string{"10.1.0.10": "uid-reborn"}, records(t, e.client, "a")); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if uid := endpoint(t, e.client, "p").Status.Current.UID; uid != "uid-reborn" {
		t.Errorf("endpoint UID = %s, want uid-reborn", uid)
	}
}

func TestNotReady(t *testing.T) {
	c := ipamtest.NewClient(interceptor.Funcs{})
	svc, err := ipam.New(testConfig(), ipam.Deps{Cache: c, API: c, Store: ipamtest.NewStore(c)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Allocate(t.Context(), ipam.AllocateRequest{}); !errors.Is(err, ipam.ErrNotReady) {
		t.Errorf("Allocate before Restore: %v", err)
	}
	if err := svc.Release(t.Context(), ipam.ReleaseRequest{}); !errors.Is(err, ipam.ErrNotReady) {
		t.Errorf("Release before Restore: %v", err)
	}
}

// TestPlainMultusAppendsNIC: without the ippools annotation each NIC's ADD
// allocates its own interface from its NetworkAttachmentDefinition's
// default pools, and the endpoint collects them.
func TestPlainMultusAppendsNIC(t *testing.T) {
	pod := newPod("p")
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod,
		newPool("a", "10.1.0.0/24", []string{"10.1.0.10"}), newPool("b", "10.2.0.0/24", []string{"10.2.0.10"}))
	eth0 := addReq(pod, "eth0")
	eth0.DefaultIPv4Pools = []string{"a"}
	net1 := addReq(pod, "net1")
	net1.DefaultIPv4Pools, net1.CleanGateway = []string{"b"}, true
	if _, err := e.svc.Allocate(t.Context(), eth0); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Allocate(t.Context(), net1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"eth0:a=10.1.0.10/24", "net1:b=10.2.0.10/24"}, addrs(res)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	if n, _ := res.NIC("net1"); !n.CleanGateway || len(n.Routes) != 0 {
		t.Errorf("net1 = %+v, want cleanGateway and no default route", n)
	}
	if n := len(endpoint(t, e.client, "p").Status.Current.IPs); n != 2 {
		t.Errorf("endpoint has %d interfaces, want 2", n)
	}
}
