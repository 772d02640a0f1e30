// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

// Review #12: the endpoints of StatefulSet pods that are already gone are
// kept while the StatefulSet wants their ordinals. When it stops wanting
// them (scaled down, deleted, or being deleted in the foreground, where
// the object stays while its pods go) the reconciler hears it from its
// StatefulSet watch and releases them at once, not at the next full scan
// (600 s here).
func TestStatefulSetChangesReleaseEndpoints(t *testing.T) {
	e := newEnv(t, nil)
	node := e.node("n", true)
	var recs []rec
	for _, s := range []struct {
		name     string
		replicas int32
	}{{"web", 3}, {"db", 2}, {"kv", 1}} {
		e.statefulSet(s.name, s.replicas, 0)
		for i := range s.replicas {
			p := e.pod(fmt.Sprintf("%s-%d", s.name, i), node, ofStatefulSet(s.name))
			recs = append(recs, recOf(e.ip(len(recs)+1), p))
			e.endpoint(p.Name, string(p.UID), owner{kind: "StatefulSet", name: s.name}, poolAddr{e.ns + "-v4", e.ip(len(recs))})
			e.remove(p)
		}
	}
	sentinel := e.pod("zz-sentinel", node) // sorts last: once the start-up scan freed it, it has judged the others
	pool := e.pool("v4", append(recs, recOf(e.ip(99), sentinel))...)
	e.remove(sentinel)
	startManager(t, Options{GC: config.GCEnv{Enabled: true}, EnableStatefulSet: true})
	eventually(t, "start-up scan frees the sentinel", func() bool { _, ok := e.records(pool)[e.ip(99)]; return !ok })
	e.wantRecords(pool, recs...)

	e.scaleStatefulSet("web", 1)
	e.deleteStatefulSet("db", client.PropagationPolicy(metav1.DeletePropagationForeground)) // no garbage collector: it stays
	e.deleteStatefulSet("kv")
	eventually(t, "StatefulSet changes release the unwanted ordinals", func() bool { return len(e.records(pool)) == 1 })
	e.wantRecords(pool, recs[0])
	e.wantEndpoint("web-0", epKept)
	for _, name := range []string{"web-1", "web-2", "db-0", "db-1", "kv-0"} {
		e.wantEndpoint(name, epDeleted)
	}
}

func (e *env) deleteStatefulSet(name string, opts ...client.DeleteOption) {
	e.t.Helper()
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: name}}
	if err := e.c.Delete(e.ctx(), sts, opts...); err != nil {
		e.t.Fatal(err)
	}
}

// Only changes that can make the StatefulSet want fewer ordinals pass.
func TestWantsLess(t *testing.T) {
	sts := &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](3)}}
	relabelled := sts.DeepCopy()
	relabelled.Labels = map[string]string{"a": "b"}
	scaled := sts.DeepCopy()
	scaled.Spec.Replicas = ptr.To[int32](1)
	moved := sts.DeepCopy()
	moved.Spec.Ordinals = &appsv1.StatefulSetOrdinals{Start: 2}
	deleting := sts.DeepCopy()
	deleting.DeletionTimestamp = ptr.To(metav1.Now())
	p := wantsLess()
	for _, tt := range []struct {
		name string
		got  bool
		want bool
	}{
		{"labels changed", p.Update(event.UpdateEvent{ObjectOld: sts, ObjectNew: relabelled}), false},
		{"scaled", p.Update(event.UpdateEvent{ObjectOld: sts, ObjectNew: scaled}), true},
		{"ordinals.start moved", p.Update(event.UpdateEvent{ObjectOld: sts, ObjectNew: moved}), true},
		{"being deleted", p.Update(event.UpdateEvent{ObjectOld: sts, ObjectNew: deleting}), true},
		{"deleted", p.Delete(event.DeleteEvent{Object: sts}), true},
		{"created", p.Create(event.CreateEvent{Object: sts}), false},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: passed = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}
