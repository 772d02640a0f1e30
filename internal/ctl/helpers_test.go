// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// kenv is one integration test's slice of the API server: its namespace
// and pools, removed at the end of the test.
type kenv struct {
	t     *testing.T
	c     client.Client
	ns    string
	pools []string
}

func newKenv(t *testing.T) *kenv {
	t.Helper()
	if apiServer.client == nil {
		t.Skip("no API server (fuzzing)")
	}
	e := &kenv{t: t, c: apiServer.client}
	base := strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	if len(base) > 50 {
		base = base[:50]
	}
	// envtest has no namespace controller: a namespace is never gone, so
	// each run (-count=N) takes a fresh name.
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: base + "-"}}
	e.create(ns)
	e.ns = ns.Name
	t.Cleanup(e.cleanup)
	return e
}

func (e *kenv) ctx() context.Context { return e.t.Context() }

func (e *kenv) create(obj client.Object) {
	e.t.Helper()
	if err := e.c.Create(e.ctx(), obj); err != nil {
		e.t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

// cleanup removes endpoints (finalizers first), pools, pods and
// StatefulSets, so that the next test's "check" sees a clean cluster.
func (e *kenv) cleanup() {
	ctx := context.WithoutCancel(e.t.Context())
	utils.RemoveTestObjects(ctx, e.c, e.ns, e.pools)
}

// pod creates a pod (Pending: alive) and returns it.
func (e *kenv) pod(name string, mutate ...func(*corev1.Pod)) *corev1.Pod {
	e.t.Helper()
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: name},
		Spec:       corev1.PodSpec{NodeName: "node1", Containers: []corev1.Container{{Name: "c", Image: "pause"}}},
	}
	for _, m := range mutate {
		m(p)
	}
	e.create(p)
	return p
}

// pool creates pool <ns>-<name> with ips of 10.<n>.0.0/24 and the given
// records (ip -> pod name/uid).
func (e *kenv) pool(name, subnet string, ips []string, recs map[string][2]string) string {
	e.t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: e.ns + "-" + name},
		Spec:       spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To[int64](4), Subnet: subnet, IPs: ips},
	}
	e.create(p)
	e.pools = append(e.pools, p.Name)
	e.setRecords(p.Name, recs)
	return p.Name
}

// setRecords replaces the records of pool, as an agent would write them.
func (e *kenv) setRecords(pool string, recs map[string][2]string) {
	e.t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{}
	if err := e.c.Get(e.ctx(), client.ObjectKey{Name: pool}, p); err != nil {
		e.t.Fatal(err)
	}
	m := spiderpoolv2beta1.PoolIPAllocations{}
	for ip, holder := range recs {
		m[ip] = spiderpoolv2beta1.NewPoolIPAllocation(e.ns, holder[0], holder[1])
	}
	p.Status.AllocatedIPs, p.Status.AllocatedIPCount = spiderpoolv2beta1.FormatAllocatedIPs(m), ptr.To(int64(len(m)))
	if err := e.c.Status().Update(e.ctx(), p); err != nil {
		e.t.Fatal(err)
	}
}

func (e *kenv) records(pool string) spiderpoolv2beta1.PoolIPAllocations {
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
		e.t.Errorf("pool %s: allocatedIPCount %v for %d records", pool, p.Status.AllocatedIPCount, n)
	}
	return recs
}

// endpoint creates the endpoint of pod name for uid with the finalizer;
// details are its interfaces.
func (e *kenv) endpoint(name, uid, ownerKind, ownerName string, details ...spiderpoolv2beta1.IPAllocationDetail) {
	e.t.Helper()
	e.create(&spiderpoolv2beta1.SpiderEndpoint{
		ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: name, Finalizers: []string{spiderpoolv2beta1.SpiderFinalizer}},
		Status: spiderpoolv2beta1.WorkloadEndpointStatus{
			Current:             spiderpoolv2beta1.PodIPAllocation{UID: uid, Node: "node1", IPs: details},
			OwnerControllerType: ownerKind, OwnerControllerName: ownerName,
		},
	})
}

// v4 is an interface with one IPv4 address of pool.
func v4(nic, cidr, pool string) spiderpoolv2beta1.IPAllocationDetail {
	return spiderpoolv2beta1.IPAllocationDetail{NIC: nic, IPv4: ptr.To(cidr), IPv4Pool: ptr.To(pool)}
}

// run runs spiderpoolctl with args against the API server and returns its
// exit code, stdout and stderr.
func (e *kenv) run(args ...string) (int, string, string) {
	e.t.Helper()
	return e.runWith(e.c, args...)
}

func (e *kenv) runWith(c client.Client, args ...string) (int, string, string) {
	e.t.Helper()
	var out, errOut bytes.Buffer
	code := Main(e.ctx(), args, Env{
		Out: &out, Err: &errOut,
		NewClient: func(string) (client.Client, error) { return c, nil },
	})
	return code, out.String(), errOut.String()
}

// runJSON runs with -o json, wants exit code want and decodes stdout.
func (e *kenv) runJSON(want int, v any, args ...string) {
	e.t.Helper()
	code, out, errOut := e.run(append(args, "-o", "json")...)
	if code != want {
		e.t.Fatalf("spiderpoolctl %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		e.t.Fatalf("spiderpoolctl %s: decode %q: %v", strings.Join(args, " "), out, err)
	}
}

// findings lists "kind ip pod" of the report's findings, for the test's
// namespace only.
func (e *kenv) findings(rep CheckReport) []string {
	var out []string
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.Pod, e.ns+"/") || strings.HasPrefix(f.Pool, e.ns+"-") {
			out = append(out, fmt.Sprintf("%s %s %s", f.Kind, f.IP, strings.TrimPrefix(f.Pod, e.ns+"/")))
		}
	}
	return out
}

// interceptStatusUpdates returns c with before called ahead of every
// status write.
func interceptStatusUpdates(t *testing.T, before func(context.Context)) client.Client {
	t.Helper()
	c, err := client.NewWithWatch(apiServer.cfg, client.Options{Scheme: apiServer.client.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return interceptor.NewClient(c, interceptor.Funcs{
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
			before(ctx)
			return c.SubResource(sub).Update(ctx, obj, opts...)
		},
	})
}

func mapsKeys[V any](m map[string]V) iter.Seq[string] { return maps.Keys(m) }
