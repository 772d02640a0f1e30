// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Review #4 (c): a record whose holder has no endpoint at all (an ADD that
// adopted the address and then lost the endpoint) is found through the
// pools' holder index, so one Reconcile of the pod's key frees it once the
// pod is gone; so is a record of an older incarnation beside an endpoint of
// the current one. Neither waits for the full scan.
func TestReconcileFreesRecordsWithoutEndpoint(t *testing.T) {
	e := newEnv(t, nil)
	e.statefulSet("web", 1, 0)
	node := e.node("n", true)
	gone := e.pod("web-2", node, ofStatefulSet("web"))
	old := e.pod("web-0", node, ofStatefulSet("web"))
	oldRec := recOf(e.ip(3), old)
	cur := e.recreate(old, ofStatefulSet("web"))
	pool := e.pool("v4", recOf(e.ip(1), gone), recOf(e.ip(2), cur), oldRec)
	e.endpoint("web-0", string(cur.UID), owner{kind: "StatefulSet", name: "web"}, poolAddr{pool, e.ip(2)})
	e.remove(gone)

	for _, name := range []string{"web-2", "web-0"} {
		if after, err := e.reconcile(name); err != nil || after != 0 {
			t.Fatalf("reconcile %s: requeue after %v, err %v", name, after, err)
		}
	}
	e.wantRecords(pool, recOf(e.ip(2), cur))
	e.wantEndpoint("web-0", epKept)
	if got := e.counter(MetricGCCounts); got != 2 {
		t.Errorf("%s = %v, want 2", MetricGCCounts, got)
	}
}

// A pool update enqueues the holders of the records it added or gave to
// another UID, and nothing for records it kept or removed.
func TestNewHolders(t *testing.T) {
	pool := func(recs map[string]string) *spiderpoolv2beta1.SpiderIPPool {
		m := spiderpoolv2beta1.PoolIPAllocations{}
		for ip, holder := range recs {
			m[ip] = spiderpoolv2beta1.PoolIPAllocation{NamespacedName: holder, PodUID: "uid-" + holder}
		}
		return &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: "p"},
			Status: spiderpoolv2beta1.IPPoolStatus{AllocatedIPs: spiderpoolv2beta1.FormatAllocatedIPs(m)}}
	}
	before := pool(map[string]string{"10.0.0.1": "ns/kept", "10.0.0.2": "ns/removed", "10.0.0.3": "ns/old"})
	after := pool(map[string]string{"10.0.0.1": "ns/kept", "10.0.0.3": "ns/new", "10.0.0.4": "ns/added", "10.0.0.5": "legacy"})
	want := []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: "ns", Name: "added"}},
		{NamespacedName: types.NamespacedName{Namespace: "ns", Name: "new"}}}
	got := newHolders(newRecordMemo(), before, after)
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b reconcile.Request) bool { return a.Name < b.Name })); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if got := newHolders(newRecordMemo(), after, after.DeepCopy()); got != nil {
		t.Errorf("unchanged records: %v, want none", got)
	}
	if got := newRecordMemo().indexHolders(after); !cmp.Equal(got, []string{"legacy", "ns/added", "ns/kept", "ns/new"}) {
		t.Errorf("indexHolders = %v", got)
	}
}
