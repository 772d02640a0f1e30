// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq_test

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/claimq"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/internal/store"
	"github.com/spiderpool-go/spiderpool/internal/store/kube"
)

var _ ipam.PoolOps = (*claimq.Queues)(nil)

// newService returns a ready IPAM service of node on the claim storage,
// writing endpoints through st.
func newService(t *testing.T, node string, statefulSets bool, st store.Store) *ipam.Service {
	t.Helper()
	return newServiceOn(t, node, statefulSets, st, agent(node, 0))
}

// newServiceOn is newService with ops as its pool operations.
func newServiceOn(t *testing.T, node string, statefulSets bool, st store.Store, ops *claimq.Queues) *ipam.Service {
	t.Helper()
	svc, err := ipam.New(ipam.Config{EnableIPv4: true, EnableStatefulSet: statefulSets, NodeName: node, AgentNamespace: "kube-system",
		Backoff: store.Backoff{Initial: time.Millisecond, Max: 4 * time.Millisecond, Factor: 2}},
		ipam.Deps{Cache: api, API: api, Store: st, PoolOps: ops})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	return svc
}

// createPodOn creates node and a pod on it named name whose IPv4 pool is
// pool, and returns the pod.
func createPodOn(t *testing.T, node, name, pool string) *corev1.Pod {
	t.Helper()
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: node}}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name,
		Annotations: map[string]string{annotation.KeyIPPool: `{"ipv4":["` + pool + `"]}`}},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c", Image: "pause"}}}}
	for _, o := range []client.Object{n, pod} {
		if err := api.Create(t.Context(), o); err != nil {
			t.Fatal(err)
		}
	}
	return pod
}

// TestServiceOnClaims: the IPAM service with the claim storage as its pool
// operations serves an ADD by a claim and its SpiderEndpoint, writes no
// pool, and a DEL of the deleted pod deletes the claim and lets the
// endpoint go.
func TestServiceOnClaims(t *testing.T) {
	ctx := t.Context()
	newPool(t, "svc", "10.84.0.0/24", []string{"10.84.0.10-10.84.0.20"}, nil)
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "svc-node"}}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "svc-pod",
		Annotations: map[string]string{annotation.KeyIPPool: `{"ipv4":["svc"]}`}},
		Spec: corev1.PodSpec{NodeName: node.Name, Containers: []corev1.Container{{Name: "c", Image: "pause"}}}}
	for _, o := range []client.Object{node, pod} {
		if err := api.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	svc := newService(t, node.Name, false, kube.New(api))
	res, err := svc.Allocate(ctx, ipam.AllocateRequest{ContainerID: "c1", IfName: "eth0", PodNamespace: pod.Namespace,
		PodName: pod.Name, PodUID: string(pod.UID)})
	if err != nil {
		t.Fatal(err)
	}
	nic, ok := res.NIC("eth0")
	if !ok || nic.IPv4 == nil {
		t.Fatalf("ADD returned %+v; want an IPv4 address for eth0", res)
	}
	a := nic.IPv4.Address.Addr()
	if c := claimOf(t, "svc", a); c == nil || c.Spec.PodUID != string(pod.UID) || c.Spec.Node != node.Name {
		t.Fatalf("claim of %s = %+v; want the pod's on %s", a, c, node.Name)
	}
	p := &spiderpoolv2beta1.SpiderIPPool{}
	if err := api.Get(ctx, client.ObjectKey{Name: "svc"}, p); err != nil || p.Status.AllocatedIPs != nil {
		t.Errorf("pool status.allocatedIPs = %v (%v); want it untouched: the controller projects the claims", p.Status.AllocatedIPs, err)
	}
	if err := api.Delete(ctx, pod, client.GracePeriodSeconds(0)); err != nil {
		t.Fatal(err)
	}
	if err := svc.Release(ctx, ipam.ReleaseRequest{ContainerID: "c1", IfName: "eth0", PodNamespace: pod.Namespace,
		PodName: pod.Name, PodUID: string(pod.UID)}); err != nil {
		t.Fatal(err)
	}
	if c := claimOf(t, "svc", a); c != nil {
		t.Errorf("claim %s left after the DEL of the deleted pod", c.Name)
	}
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	if err := api.Get(ctx, client.ObjectKeyFromObject(pod), ep); err == nil && slices.Contains(ep.Finalizers, spiderpoolv2beta1.SpiderFinalizer) {
		t.Errorf("endpoint keeps its finalizer after the DEL: %v", ep.Finalizers)
	}
}

// TestDelWithoutEndpointFreesTheClaims: an ADD whose endpoint create
// answered 500 without landing keeps its claim and leaves no endpoint; the
// pools' status does not record it either (no projector runs here, as
// when the projection lags). The DEL of the deleted pod finds the claim
// through its holder label and deletes it.
func TestDelWithoutEndpointFreesTheClaims(t *testing.T) {
	ctx := t.Context()
	newPool(t, "noep", "10.85.0.0/24", []string{"10.85.0.10-10.85.0.20"}, nil)
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "noep-node"}}
	pod := createPodOn(t, node.Name, "noep-pod", "noep")
	st := ipamtest.NewStore(api)
	svc := newService(t, node.Name, false, st)
	st.FailNext(ipamtest.CreateEndpoint, apierrors.NewInternalError(errors.New("etcd request timed out")))
	req := ipam.AllocateRequest{ContainerID: "c1", IfName: "eth0", PodNamespace: pod.Namespace, PodName: pod.Name, PodUID: string(pod.UID)}
	if _, err := svc.Allocate(ctx, req); err == nil {
		t.Fatal("ADD succeeded; want the injected 500")
	}
	held := func() int {
		var list ipamclaimsv1alpha1.SpiderIPClaimList
		if err := api.List(ctx, &list, client.MatchingLabels{ipamclaimsv1alpha1.LabelPodUID: string(pod.UID)}); err != nil {
			t.Fatal(err)
		}
		return len(list.Items)
	}
	if n := held(); n != 1 {
		t.Fatalf("%d claims of the pod after the ambiguous ADD; want 1, kept for the retry", n)
	}
	if err := api.Delete(ctx, pod, client.GracePeriodSeconds(0)); err != nil {
		t.Fatal(err)
	}
	if err := svc.Release(ctx, ipam.ReleaseRequest{ContainerID: "c1", IfName: "eth0", PodNamespace: pod.Namespace,
		PodName: pod.Name, PodUID: string(pod.UID)}); err != nil {
		t.Fatal(err)
	}
	if n := held(); n != 0 {
		t.Errorf("%d claims of the deleted pod left after its DEL; want none", n)
	}
}

// TestStatefulSetPodKeepsItsClaim: with the claim storage, a StatefulSet
// pod re-created under its name keeps its address: the DEL of the old
// incarnation keeps the claim (the ordinal is still wanted), and the new
// incarnation's ADD adopts it (podUID and holder label rewritten).
func TestStatefulSetPodKeepsItsClaim(t *testing.T) {
	ctx := t.Context()
	newPool(t, "sts", "10.86.0.0/24", []string{"10.86.0.10-10.86.0.20"}, nil)
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "sts-node"}}
	labels := map[string]string{"app": "db"}
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "db"},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr.To(int32(1)), Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "pause"}}}}}}
	for _, o := range []client.Object{node, sts} {
		if err := api.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	svc := newService(t, node.Name, true, kube.New(api))
	incarnation := func() (*corev1.Pod, netip.Addr) {
		t.Helper()
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "db-0", Labels: labels,
			Annotations:     map[string]string{annotation.KeyIPPool: `{"ipv4":["sts"]}`},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: "db", UID: sts.UID, Controller: ptr.To(true)}}},
			Spec: corev1.PodSpec{NodeName: node.Name, Containers: []corev1.Container{{Name: "c", Image: "pause"}}}}
		if err := api.Create(ctx, pod); err != nil {
			t.Fatal(err)
		}
		res, err := svc.Allocate(ctx, ipam.AllocateRequest{ContainerID: "c-" + string(pod.UID), IfName: "eth0",
			PodNamespace: pod.Namespace, PodName: pod.Name, PodUID: string(pod.UID)})
		if err != nil {
			t.Fatal(err)
		}
		nic, ok := res.NIC("eth0")
		if !ok || nic.IPv4 == nil {
			t.Fatalf("ADD returned %+v", res)
		}
		return pod, nic.IPv4.Address.Addr()
	}
	first, a := incarnation()
	if err := api.Delete(ctx, first, client.GracePeriodSeconds(0)); err != nil {
		t.Fatal(err)
	}
	if err := svc.Release(ctx, ipam.ReleaseRequest{ContainerID: "c-" + string(first.UID), IfName: "eth0",
		PodNamespace: first.Namespace, PodName: first.Name, PodUID: string(first.UID)}); err != nil {
		t.Fatal(err)
	}
	if c := claimOf(t, "sts", a); c == nil || c.Spec.PodUID != string(first.UID) {
		t.Fatalf("claim after the DEL of a wanted ordinal = %+v; want it kept", c)
	}
	second, b := incarnation()
	c := claimOf(t, "sts", a)
	if b != a || c == nil || c.Spec.PodUID != string(second.UID) || c.Labels[ipamclaimsv1alpha1.LabelPodUID] != string(second.UID) {
		t.Errorf("re-created pod got %s (want %s), claim %+v; want it adopted by the new UID", b, a, c)
	}
}

// TestRetryAfterAnAmbiguousEndpointWriteReusesTheClaim: an ADD whose
// endpoint create answered 500 keeps its claim for the retry (the write may
// have landed). The retry, on an agent whose watch of claims does not show
// it yet (the API server restarting), reuses it instead of taking a second
// address that the live pod would keep, listed by no endpoint.
func TestRetryAfterAnAmbiguousEndpointWriteReusesTheClaim(t *testing.T) {
	ctx := t.Context()
	newPool(t, "ambig", "10.89.0.0/24", []string{"10.89.0.10-10.89.0.29"}, nil)
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "ambig-node"}}
	pod := createPodOn(t, node.Name, "ambig-pod", "ambig")
	st := ipamtest.NewStore(api)
	lagging := claimq.New(claimq.Deps{Pools: latest{api}, Claims: noClaimsYet{api}, API: api, Writer: api, Node: node.Name})
	svc := newServiceOn(t, node.Name, false, st, lagging)
	st.FailNext(ipamtest.CreateEndpoint, apierrors.NewInternalError(errors.New("etcd request timed out")))
	req := ipam.AllocateRequest{ContainerID: "c1", IfName: "eth0", PodNamespace: pod.Namespace, PodName: pod.Name, PodUID: string(pod.UID)}
	if _, err := svc.Allocate(ctx, req); err == nil {
		t.Fatal("ADD succeeded; want the injected 500")
	}
	req.ContainerID = "c2"
	res, err := svc.Allocate(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	var list ipamclaimsv1alpha1.SpiderIPClaimList
	if err := api.List(ctx, &list, client.MatchingLabels{ipamclaimsv1alpha1.LabelPodUID: string(pod.UID)}); err != nil {
		t.Fatal(err)
	}
	nic, _ := res.NIC("eth0")
	if len(list.Items) != 1 || nic.IPv4 == nil || list.Items[0].Spec.IP != nic.IPv4.Address.Addr().String() {
		t.Errorf("after the retry the pod has %d claims and got %+v; want its one claim reused", len(list.Items), nic)
	}
}
