// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/store"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// envSeq numbers the test environments: namespace gc-<n>, subnet 10.<n>.0.0/16.
var envSeq atomic.Int32

// env is one test's namespace, fake clock, registry and collector, over
// the shared API server. Its objects are removed when the test ends, so
// that a later test's full scan does not see them.
type env struct {
	t     *testing.T
	c     client.Client
	n     int32
	ns    string
	clock *clocktesting.FakeClock
	reg   *prometheus.Registry
	gc    *collector
	pools []string
	nodes []string
}

// newEnv returns an environment whose collector has testOptions, changed
// by mutate (may be nil), and reads cache and API through the direct
// client.
func newEnv(t *testing.T, mutate func(*Options)) *env {
	t.Helper()
	if apiServer.client == nil {
		t.Skip("no API server: running with -fuzz")
	}
	n := envSeq.Add(1)
	e := &env{t: t, c: apiServer.client, n: n, ns: fmt.Sprintf("gc-%d", n),
		clock: clocktesting.NewFakeClock(time.Now()), reg: prometheus.NewRegistry()}
	opts := testOptions(e.clock, e.reg)
	if mutate != nil {
		mutate(&opts)
	}
	e.gc = newTestCollector(t, opts, e.c, e.c)
	e.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: e.ns}})
	t.Cleanup(e.cleanup)
	return e
}

// testOptions are the chart defaults, with a fast backoff.
func testOptions(clk *clocktesting.FakeClock, reg prometheus.Registerer) Options {
	return Options{
		GC: config.GCEnv{
			Enabled: true, StatelessTerminatingPodOnReadyNode: true, StatelessTerminatingPodOnNotReadyNode: true,
		},
		EnableStatefulSet: true, EnableKubevirtStaticIP: true,
		Clock: clk, Registerer: reg,
		Backoff: store.Backoff{Initial: time.Millisecond, Max: 20 * time.Millisecond, Factor: 2, Jitter: 1},
	}
}

func newTestCollector(t *testing.T, opts Options, c client.Client, api client.Reader) *collector {
	t.Helper()
	opts, err := opts.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	m, err := newCounters(opts.Registerer)
	if err != nil {
		t.Fatal(err)
	}
	gc := newCollector(opts, c, api, m)
	gc.cache = indexed{c}
	return gc
}

// indexed serves the List calls that select on one of the reconciler's
// cache indexes from an uncached reader, as the manager's cache would: it
// lists without the selector and keeps the objects the index function maps
// to the value.
type indexed struct {
	client.Reader
}

// testIndexes are the index functions addIndexes registers.
var testIndexes = map[string]client.IndexerFunc{
	podNodeIndex:       indexPodNode,
	poolHolderIndex:    newRecordMemo().indexHolders,
	endpointOwnerIndex: indexEndpointOwner,
	claimHolderIndex:   indexClaimHolder,
}

func (r indexed) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	lo := &client.ListOptions{}
	lo.ApplyOptions(opts)
	if lo.FieldSelector == nil || lo.FieldSelector.Empty() {
		return r.Reader.List(ctx, list, opts...)
	}
	reqs := lo.FieldSelector.Requirements()
	index, ok := testIndexes[reqs[0].Field]
	if len(reqs) != 1 || !ok {
		return fmt.Errorf("indexed: unsupported field selector %s", lo.FieldSelector)
	}
	lo.FieldSelector = nil
	if err := r.Reader.List(ctx, list, lo); err != nil {
		return err
	}
	items, err := meta.ExtractList(list)
	if err != nil {
		return err
	}
	kept := items[:0]
	for _, it := range items {
		if slices.Contains(index(it.(client.Object)), reqs[0].Value) {
			kept = append(kept, it)
		}
	}
	return meta.SetList(list, kept)
}

func (e *env) ctx() context.Context { return e.t.Context() }

func (e *env) create(obj client.Object) {
	e.t.Helper()
	if err := e.c.Create(e.ctx(), obj); err != nil {
		e.t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

// cleanup removes what the test left: endpoints (finalizers first),
// pools, pods, StatefulSets, nodes.
func (e *env) cleanup() {
	ctx := context.WithoutCancel(e.t.Context())
	utils.RemoveTestObjects(ctx, e.c, e.ns, e.pools)
	for _, name := range e.nodes {
		_ = e.c.Delete(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}})
	}
}

// node creates a node with the given readiness and returns its name.
func (e *env) node(name string, ready bool) string {
	e.t.Helper()
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: e.ns + "-" + name}}
	e.create(n)
	e.nodes = append(e.nodes, n.Name)
	e.setNodeReady(n.Name, ready)
	return n.Name
}

func (e *env) setNodeReady(name string, ready bool) {
	e.t.Helper()
	n := &corev1.Node{}
	if err := e.c.Get(e.ctx(), client.ObjectKey{Name: name}, n); err != nil {
		e.t.Fatal(err)
	}
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status}}
	if err := e.c.Status().Update(e.ctx(), n); err != nil {
		e.t.Fatal(err)
	}
}

type podOpt func(*corev1.Pod)

// ofStatefulSet makes the pod controlled by StatefulSet sts.
func ofStatefulSet(sts string) podOpt {
	return func(p *corev1.Pod) {
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: sts,
			UID: types.UID("uid-sts-" + sts), Controller: ptr.To(true)}}
	}
}

func restartPolicy(policy corev1.RestartPolicy) podOpt {
	return func(p *corev1.Pod) { p.Spec.RestartPolicy = policy }
}

// pod creates a pod bound to node (deleting it is then graceful, and with
// no kubelet it stays terminating).
func (e *env) pod(name, node string, opts ...podOpt) *corev1.Pod {
	e.t.Helper()
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: name},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c", Image: "pause"}},
			TerminationGracePeriodSeconds: ptr.To[int64](30)},
	}
	for _, o := range opts {
		o(p)
	}
	e.create(p)
	return p
}

// podStatus rewrites the pod's status through the status subresource.
func (e *env) podStatus(p *corev1.Pod, mutate func(*corev1.PodStatus)) {
	e.t.Helper()
	if err := e.c.Get(e.ctx(), client.ObjectKeyFromObject(p), p); err != nil {
		e.t.Fatal(err)
	}
	mutate(&p.Status)
	if err := e.c.Status().Update(e.ctx(), p); err != nil {
		e.t.Fatal(err)
	}
}

// terminate deletes the pod gracefully; it stays, terminating.
func (e *env) terminate(p *corev1.Pod) {
	e.t.Helper()
	if err := e.c.Delete(e.ctx(), p); err != nil {
		e.t.Fatal(err)
	}
	if err := e.c.Get(e.ctx(), client.ObjectKeyFromObject(p), p); err != nil || p.DeletionTimestamp == nil {
		e.t.Fatalf("pod %s not terminating after delete: %v", p.Name, err)
	}
	e.clock.SetTime(time.Now()) // the API server stamped deletionTimestamp with the real time
}

// remove deletes the pod at once.
func (e *env) remove(p *corev1.Pod) {
	e.t.Helper()
	if err := e.c.Delete(e.ctx(), p, client.GracePeriodSeconds(0)); err != nil {
		e.t.Fatal(err)
	}
	if err := e.c.Get(e.ctx(), client.ObjectKeyFromObject(p), &corev1.Pod{}); !apierrors.IsNotFound(err) {
		e.t.Fatalf("pod %s still there after delete: %v", p.Name, err)
	}
}

// recreate removes the pod and creates it again under the same name: a new
// incarnation with a new UID.
func (e *env) recreate(p *corev1.Pod, opts ...podOpt) *corev1.Pod {
	e.t.Helper()
	e.remove(p)
	return e.pod(p.Name, p.Spec.NodeName, opts...)
}

// ip returns address i of the environment's subnet.
func (e *env) ip(i int) string { return fmt.Sprintf("10.%d.0.%d", e.n, i) }

// rec is one pool record.
type rec struct {
	ip, name, uid string
}

func recOf(ip string, p *corev1.Pod) rec { return rec{ip: ip, name: p.Name, uid: string(p.UID)} }

// pool creates pool <ns>-<name> holding recs and returns its name.
func (e *env) pool(name string, recs ...rec) string {
	e.t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: e.ns + "-" + name},
		Spec: spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: fmt.Sprintf("10.%d.0.0/16", e.n),
			IPs: []string{fmt.Sprintf("10.%d.0.1-10.%d.0.250", e.n, e.n)}},
	}
	e.create(p)
	e.pools = append(e.pools, p.Name)
	e.setRecords(p.Name, recs...)
	return p.Name
}

// setRecords replaces the pool's records, as an agent would write them.
func (e *env) setRecords(pool string, recs ...rec) {
	e.t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{}
	if err := e.c.Get(e.ctx(), client.ObjectKey{Name: pool}, p); err != nil {
		e.t.Fatal(err)
	}
	m := e.allocations(recs...)
	p.Status.AllocatedIPs, p.Status.AllocatedIPCount = spiderpoolv2beta1.FormatAllocatedIPs(m), ptr.To(int64(len(m)))
	if err := e.c.Status().Update(e.ctx(), p); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) allocations(recs ...rec) spiderpoolv2beta1.PoolIPAllocations {
	m := spiderpoolv2beta1.PoolIPAllocations{}
	for _, r := range recs {
		m[r.ip] = spiderpoolv2beta1.NewPoolIPAllocation(e.ns, r.name, r.uid)
	}
	return m
}

// owner is what an endpoint records of the pod's controller.
type owner struct {
	kind, name string
	// ref, when set, is the pod the endpoint's owner reference names.
	ref *corev1.Pod
}

// endpoint creates the endpoint of pod name for uid, with the finalizer,
// one interface per address.
func (e *env) endpoint(name, uid string, o owner, addrs ...poolAddr) *spiderpoolv2beta1.SpiderEndpoint {
	e.t.Helper()
	ep := &spiderpoolv2beta1.SpiderEndpoint{
		ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: name, Finalizers: []string{spiderpoolv2beta1.SpiderFinalizer}},
		Status: spiderpoolv2beta1.WorkloadEndpointStatus{
			Current:             spiderpoolv2beta1.PodIPAllocation{UID: uid, Node: "node", IPs: details(addrs)},
			OwnerControllerType: o.kind, OwnerControllerName: o.name,
		},
	}
	if o.ref != nil {
		ep.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Pod", Name: o.ref.Name, UID: o.ref.UID}}
	}
	e.create(ep)
	return ep
}

func details(addrs []poolAddr) []spiderpoolv2beta1.IPAllocationDetail {
	out := make([]spiderpoolv2beta1.IPAllocationDetail, len(addrs))
	for i, a := range addrs {
		out[i] = spiderpoolv2beta1.IPAllocationDetail{NIC: fmt.Sprintf("net%d", i), IPv4: ptr.To(a.ip + "/16"), IPv4Pool: ptr.To(a.pool)}
	}
	return out
}

// podOwner is the owner an agent records for a bare pod.
func podOwner(p *corev1.Pod) owner { return owner{kind: "Pod", name: p.Name, ref: p} }

// readopt makes the endpoint record uid, as the agent's StatefulSet
// adoption does last.
func (e *env) readopt(name, uid string) {
	e.t.Helper()
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	if err := e.c.Get(e.ctx(), client.ObjectKey{Namespace: e.ns, Name: name}, ep); err != nil {
		e.t.Fatal(err)
	}
	ep.Status.Current.UID = uid
	if err := e.c.Update(e.ctx(), ep); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) records(pool string) spiderpoolv2beta1.PoolIPAllocations {
	e.t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{}
	if err := e.c.Get(e.ctx(), client.ObjectKey{Name: pool}, p); err != nil {
		e.t.Fatal(err)
	}
	recs, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
	if err != nil {
		e.t.Fatal(err)
	}
	if n := int64(len(recs)); p.Status.AllocatedIPCount == nil || *p.Status.AllocatedIPCount != n {
		e.t.Errorf("pool %s: allocatedIPCount = %v, want %d", pool, p.Status.AllocatedIPCount, n)
	}
	return recs
}

func (e *env) wantRecords(pool string, want ...rec) {
	e.t.Helper()
	if diff := cmp.Diff(e.allocations(want...), e.records(pool)); diff != "" {
		e.t.Errorf("pool %s records (-want +got):\n%s", pool, diff)
	}
}

// endpointState is what became of an endpoint.
type endpointState string

const (
	epKept      endpointState = "kept with finalizer"
	epUnpinned  endpointState = "finalizer removed"
	epDeleted   endpointState = "deleted"
	epTerminate endpointState = "deleting, finalizer kept"
)

func (e *env) endpointState(name string) (endpointState, string) {
	e.t.Helper()
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	err := e.c.Get(e.ctx(), client.ObjectKey{Namespace: e.ns, Name: name}, ep)
	switch {
	case apierrors.IsNotFound(err):
		return epDeleted, ""
	case err != nil:
		e.t.Fatal(err)
	}
	fin := slices.Contains(ep.Finalizers, spiderpoolv2beta1.SpiderFinalizer)
	switch {
	case ep.DeletionTimestamp != nil && fin:
		return epTerminate, ep.Status.Current.UID
	case fin:
		return epKept, ep.Status.Current.UID
	}
	return epUnpinned, ep.Status.Current.UID
}

func (e *env) wantEndpoint(name string, want endpointState) {
	e.t.Helper()
	if got, _ := e.endpointState(name); got != want {
		e.t.Errorf("endpoint %s: %s, want %s", name, got, want)
	}
}

// reconcile runs the reconciler for ns/name.
func (e *env) reconcile(name string) (time.Duration, error) {
	res, err := (&reconciler{c: e.gc}).Reconcile(e.ctx(), ctrl.Request{NamespacedName: types.NamespacedName{Namespace: e.ns, Name: name}})
	return res.RequeueAfter, err
}

func (e *env) scan() {
	e.t.Helper()
	if err := e.gc.scan(e.ctx()); err != nil {
		e.t.Fatalf("scan: %v", err)
	}
}

// counter returns the value of a GC counter in the environment's registry.
func (e *env) counter(name string) float64 {
	e.t.Helper()
	return gatherCounter(e.t, e.reg, name)
}

func gatherCounter(t *testing.T, g prometheus.Gatherer, name string) float64 {
	t.Helper()
	v, ok := counterValue(t, g, name)
	if !ok {
		t.Fatalf("metric %s not registered", name)
	}
	return v
}

// counterValue returns the value of counter name, and whether g has it.
func counterValue(t *testing.T, g prometheus.Gatherer, name string) (float64, bool) {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0].GetCounter().GetValue(), true
		}
	}
	return 0, false
}

func keyIn(ns, name string) client.ObjectKey { return client.ObjectKey{Namespace: ns, Name: name} }
