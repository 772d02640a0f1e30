// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"context"
	"errors"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

const (
	testNode       = "node1"
	testNS         = "default"
	testAgentNS    = "kube-system"
	testNetwork    = "kube-system/macvlan-eth0"
	testStsName    = "db"
	testReplicaSet = "web-5d9f"
)

// env is a service over the fake client.
type env struct {
	svc    *ipam.Service
	client client.WithWatch
	store  *ipamtest.Store
}

func testConfig() ipam.Config {
	return ipam.Config{
		EnableIPv4: true, EnableIPv6: true, EnableStatefulSet: true,
		AgentNamespace: testAgentNS, ClusterNetwork: testNetwork, NodeName: testNode,
		Backoff: store.Backoff{Initial: time.Millisecond, Max: 4 * time.Millisecond, Factor: 2, Jitter: 0.5},
	}
}

// newEnv starts a ready service over a fake client holding the default
// namespace, node1 and objs.
func newEnv(t *testing.T, cfg ipam.Config, funcs interceptor.Funcs, objs ...client.Object) *env {
	t.Helper()
	base := []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNS, Labels: map[string]string{"team": "a"}}},
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: testNode, Labels: map[string]string{"zone": "z1"}}},
	}
	c := ipamtest.NewClient(funcs, append(base, objs...)...)
	store := ipamtest.NewStore(c)
	svc, err := ipam.New(cfg, ipam.Deps{Cache: c, API: c, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	return &env{svc: svc, client: c, store: store}
}

type poolOpt func(*spiderpoolv2beta1.SpiderIPPool)

// newPool returns a pool of subnet's family with ips and gateway .1/::1.
func newPool(name, subnet string, ips []string, opts ...poolOpt) *spiderpoolv2beta1.SpiderIPPool {
	p := netip.MustParsePrefix(subnet)
	version := spiderpoolv2beta1.IPv4
	if p.Addr().Is6() {
		version = spiderpoolv2beta1.IPv6
	}
	pool := &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.IPPoolSpec{
			IPVersion: ptr.To(version), Subnet: subnet, IPs: ips, Gateway: ptr.To(p.Addr().Next().String()),
		},
	}
	for _, o := range opts {
		o(pool)
	}
	return pool
}

func withDefault(p *spiderpoolv2beta1.SpiderIPPool)   { p.Spec.Default = ptr.To(true) }
func withDisabled(p *spiderpoolv2beta1.SpiderIPPool)  { p.Spec.Disable = ptr.To(true) }
func withNoGateway(p *spiderpoolv2beta1.SpiderIPPool) { p.Spec.Gateway = nil }

func withSpec(f func(*spiderpoolv2beta1.IPPoolSpec)) poolOpt {
	return func(p *spiderpoolv2beta1.SpiderIPPool) { f(&p.Spec) }
}

type podOpt func(*corev1.Pod)

// newPod returns a running pod on node1 with UID "uid-<name>".
func newPod(name string, opts ...podOpt) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: testNS, Name: name, UID: types.UID("uid-" + name), Labels: map[string]string{"app": name},
		},
		Spec:   corev1.PodSpec{NodeName: testNode, Containers: []corev1.Container{{Name: "c", Image: "i"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning},
	}
	for _, o := range opts {
		o(pod)
	}
	return pod
}

func withAnno(key, value string) podOpt {
	return func(p *corev1.Pod) {
		if p.Annotations == nil {
			p.Annotations = map[string]string{}
		}
		p.Annotations[key] = value
	}
}

func withUID(uid string) podOpt { return func(p *corev1.Pod) { p.UID = types.UID(uid) } }

func withOwner(apiVersion, kind, name string) podOpt {
	return func(p *corev1.Pod) {
		p.OwnerReferences = []metav1.OwnerReference{{
			APIVersion: apiVersion, Kind: kind, Name: name, UID: types.UID("uid-" + name), Controller: ptr.To(true),
		}}
	}
}

func stsPod(ordinal string, opts ...podOpt) *corev1.Pod {
	return newPod(testStsName+"-"+ordinal, append([]podOpt{withOwner("apps/v1", "StatefulSet", testStsName)}, opts...)...)
}

func statefulSet(replicas int32) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: testStsName},
		Spec:       appsv1.StatefulSetSpec{Replicas: ptr.To(replicas)},
	}
}

func addReq(pod *corev1.Pod, ifName string) ipam.AllocateRequest {
	return ipam.AllocateRequest{
		ContainerID: "c-" + pod.Name, IfName: ifName, PodNamespace: pod.Namespace, PodName: pod.Name,
		PodUID: string(pod.UID),
	}
}

func delReq(pod *corev1.Pod) ipam.ReleaseRequest {
	return ipam.ReleaseRequest{
		ContainerID: "c-" + pod.Name, IfName: "eth0", PodNamespace: pod.Namespace, PodName: pod.Name,
		PodUID: string(pod.UID),
	}
}

// records returns pool name's status.allocatedIPs as ip -> pod UID.
func records(t *testing.T, c client.Reader, name string) map[string]string {
	t.Helper()
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := c.Get(t.Context(), client.ObjectKey{Name: name}, pool); err != nil {
		t.Fatal(err)
	}
	recs, err := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
	if err != nil {
		t.Fatal(err)
	}
	count := int64(0)
	if pool.Status.AllocatedIPCount != nil {
		count = *pool.Status.AllocatedIPCount
	}
	if count != int64(len(recs)) {
		t.Errorf("pool %s: allocatedIPCount %d, %d records", name, count, len(recs))
	}
	out := map[string]string{}
	for ip, r := range recs {
		out[ip] = r.PodUID
	}
	return out
}

func endpoint(t *testing.T, c client.Reader, name string) *spiderpoolv2beta1.SpiderEndpoint {
	t.Helper()
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	if err := c.Get(t.Context(), client.ObjectKey{Namespace: testNS, Name: name}, ep); err != nil {
		t.Fatal(err)
	}
	return ep
}

// addrs returns "pool=address" of every address of res, in order.
func addrs(res *ipam.Result) []string {
	var out []string
	for _, n := range res.NICs {
		for _, c := range []*ipam.IPConfig{n.IPv4, n.IPv6} {
			if c != nil {
				out = append(out, n.Interface+":"+c.Pool+"="+c.Address.String())
			}
		}
	}
	return out
}

// conflictOnStatus returns interceptor funcs that answer the first n pool
// status updates with a 409 from the "API server".
func conflictOnStatus(n int64) (interceptor.Funcs, *atomic.Int64) {
	var calls atomic.Int64
	funcs := interceptor.Funcs{
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object,
			opts ...client.SubResourceUpdateOption,
		) error {
			if calls.Add(1) <= n {
				return apierrors.NewConflict(schema.GroupResource{Group: "spiderpool.spidernet.io", Resource: "spiderippools"},
					obj.GetName(), errors.New("the object has been modified"))
			}
			return c.SubResource(sub).Update(ctx, obj, opts...)
		},
	}
	return funcs, &calls
}

// replicaSet returns ReplicaSet testReplicaSet owned by Deployment "web".
func replicaSet() *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{
		Namespace: testNS, Name: testReplicaSet,
		OwnerReferences: []metav1.OwnerReference{{
			APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: "uid-web", Controller: ptr.To(true),
		}},
	}}
}
