// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package kubevirt

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/gc"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/internal/store/kube"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// Nodes of the two agents.
const (
	node1 = "kv-node-1"
	node2 = "kv-node-2"
)

// env is one test's namespace and pool, with an agent per node.
type env struct {
	t      *testing.T
	c      client.Client
	ns     string
	pool   string
	agents map[string]*ipam.Service
	// staticOff turns enableKubevirtStaticIP off for the agents.
	staticOff bool
}

// newEnv creates namespace and pool (10.250.95.<block>0-<block>9) for one
// test; the objects are removed at cleanup.
func newEnv(t *testing.T, block int) *env {
	t.Helper()
	e := &env{t: t, c: apiServer.client, ns: fmt.Sprintf("kv-%d", block), pool: fmt.Sprintf("kv-pool-%d", block),
		agents: map[string]*ipam.Service{}}
	ctx := t.Context()
	if err := e.c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: e.ns}}); err != nil {
		t.Fatal(err)
	}
	pool := &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: e.pool}, Spec: spiderpoolv2beta1.IPPoolSpec{
		IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: "10.250.95.0/24",
		IPs: []string{fmt.Sprintf("10.250.95.%d0-10.250.95.%d9", block, block)},
	}}
	if err := e.c.Create(ctx, pool); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { utils.RemoveTestObjects(context.Background(), e.c, e.ns, []string{e.pool}) })
	return e
}

// agent returns the IPAM service of node as an agent runs it, with
// enableKubevirtStaticIP on.
func (e *env) agent(node string) *ipam.Service {
	e.t.Helper()
	if svc, ok := e.agents[node]; ok {
		return svc
	}
	c, err := client.New(rest.CopyConfig(apiServer.cfg), client.Options{Scheme: ipamtest.Scheme()})
	if err != nil {
		e.t.Fatal(err)
	}
	svc, err := ipam.New(ipam.Config{
		EnableIPv4: true, EnableStatefulSet: true, EnableKubevirtStaticIP: !e.staticOff, NodeName: node, AgentNamespace: "kube-system",
	}, ipam.Deps{Cache: c, API: c, Store: kube.New(c)})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := svc.Restore(e.t.Context()); err != nil {
		e.t.Fatal(err)
	}
	e.agents[node] = svc
	return svc
}

// kubevirt creates a KubeVirt object (kind VirtualMachine,
// VirtualMachineInstance or VirtualMachineInstanceMigration) named name;
// a VMI is controlled by the VM of its name when vm is set.
func (e *env) kubevirt(kind, name string, vm bool) *unstructured.Unstructured {
	e.t.Helper()
	u := e.kvObject(kind, name)
	if vm {
		u.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: "kubevirt.io/v1", Kind: "VirtualMachine", Name: name,
			UID: types.UID("uid-vm-" + name), Controller: ptr.To(true)}})
	}
	if err := e.c.Create(e.t.Context(), u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// deleteKubevirt deletes the KubeVirt object kind/name.
func (e *env) deleteKubevirt(kind, name string) {
	e.t.Helper()
	if err := e.c.Delete(e.t.Context(), e.kvObject(kind, name)); err != nil {
		e.t.Fatal(err)
	}
}

// kvObject is the KubeVirt object kind/name of the test's namespace.
func (e *env) kvObject(kind, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("kubevirt.io/v1")
	u.SetKind(kind)
	u.SetNamespace(e.ns)
	u.SetName(name)
	return u
}

// launcher creates the virt-launcher pod name of VMI vmi on node, asking
// for the test's pool; annotations are added.
func (e *env) launcher(name string, vmi *unstructured.Unstructured, node string, annotations map[string]string) *corev1.Pod {
	e.t.Helper()
	anno := map[string]string{spiderpoolv2beta1.AnnoPodIPPool: `{"ipv4":["` + e.pool + `"]}`}
	for k, v := range annotations {
		anno[k] = v
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: name, Annotations: anno,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "kubevirt.io/v1", Kind: "VirtualMachineInstance",
				Name: vmi.GetName(), UID: vmi.GetUID(), Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}}},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "compute", Image: "virt-launcher"}}},
	}
	if err := e.c.Create(e.t.Context(), pod); err != nil {
		e.t.Fatal(err)
	}
	return pod
}

// vm creates VM name, its VMI and its virt-launcher pod on node, asking
// for the test's pool with annotations added; it returns the pod.
func (e *env) vm(name, podName, node string, annotations map[string]string) *corev1.Pod {
	e.t.Helper()
	e.kubevirt("VirtualMachine", name, false)
	return e.launcher(podName, e.kubevirt("VirtualMachineInstance", name, true), node, annotations)
}

// tryAdd runs the CNI ADD of pod on its node.
func (e *env) tryAdd(pod *corev1.Pod) (*ipam.Result, error) {
	return e.agent(pod.Spec.NodeName).Allocate(e.t.Context(), ipam.AllocateRequest{
		ContainerID: "c-" + pod.Name, IfName: "eth0", PodNamespace: pod.Namespace, PodName: pod.Name, PodUID: string(pod.UID),
	})
}

// add runs the CNI ADD of pod on its node and returns its one address.
func (e *env) add(pod *corev1.Pod) (*ipam.Result, string) {
	e.t.Helper()
	res, err := e.tryAdd(pod)
	if err != nil {
		e.t.Fatalf("ADD of %s: %v", pod.Name, err)
	}
	nic, ok := res.NIC("eth0")
	if !ok || nic.IPv4 == nil {
		e.t.Fatalf("ADD of %s: no IPv4 address on eth0: %+v", pod.Name, res)
	}
	return res, nic.IPv4.Address.Addr().String()
}

// del runs the CNI DEL of pod on its node.
func (e *env) del(pod *corev1.Pod) {
	e.t.Helper()
	err := e.agent(pod.Spec.NodeName).Release(e.t.Context(), ipam.ReleaseRequest{
		ContainerID: "c-" + pod.Name, IfName: "eth0", PodNamespace: pod.Namespace, PodName: pod.Name, PodUID: string(pod.UID),
	})
	if err != nil {
		e.t.Fatalf("DEL of %s: %v", pod.Name, err)
	}
}

// deletePod deletes pod at once, as a kubelet does once its containers
// are gone.
func (e *env) deletePod(pod *corev1.Pod) {
	e.t.Helper()
	if err := e.c.Delete(e.t.Context(), pod, client.GracePeriodSeconds(0)); err != nil {
		e.t.Fatal(err)
	}
}

// finish sets pod's phase to Succeeded, as KubeVirt's source pod ends
// after a migration.
func (e *env) finish(pod *corev1.Pod) {
	e.t.Helper()
	pod.Status.Phase = corev1.PodSucceeded
	if err := e.c.Status().Update(e.t.Context(), pod); err != nil {
		e.t.Fatal(err)
	}
}

// records returns the pool's records as ip -> "<pod key> <uid>".
func (e *env) records() map[string]string {
	e.t.Helper()
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := e.c.Get(e.t.Context(), client.ObjectKey{Name: e.pool}, pool); err != nil {
		e.t.Fatal(err)
	}
	recs, err := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for ip, r := range recs {
		out[ip] = r.NamespacedName + " " + r.PodUID
	}
	return out
}

// wantRecords checks the pool holds exactly ip for pod key ns/vm1 and uid
// of pod (no record when pod is nil).
func (e *env) wantRecords(ip string, pod *corev1.Pod) {
	e.t.Helper()
	want := map[string]string{}
	if pod != nil {
		want[ip] = e.ns + "/vm1 " + string(pod.UID)
	}
	if got := e.records(); fmt.Sprint(got) != fmt.Sprint(want) {
		e.t.Errorf("pool records %v, want %v", got, want)
	}
}

// endpoint returns the SpiderEndpoint name, or nil when there is none.
func (e *env) endpoint(name string) *spiderpoolv2beta1.SpiderEndpoint {
	e.t.Helper()
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	err := e.c.Get(e.t.Context(), client.ObjectKey{Namespace: e.ns, Name: name}, ep)
	if client.IgnoreNotFound(err) != nil {
		e.t.Fatal(err)
	}
	if err != nil {
		return nil
	}
	return ep
}

// judge returns the controller GC's judgement of the VM's records of pod.
func (e *env) judge(pod *corev1.Pod) gc.Judgement {
	e.t.Helper()
	opts := gc.NewOptions(config.GCEnv{}, config.ConfigMap{EnableKubevirtStaticIP: true, EnableStatefulSet: true})
	j, err := gc.Judge(e.t.Context(), opts, e.c, e.ns, "vm1", string(pod.UID), time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return j
}
