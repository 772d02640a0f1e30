// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
)

// A node's readiness flip enqueues its terminating pods, and only those.
func TestTerminatingPodsOn(t *testing.T) {
	now := metav1.Now()
	pod := func(name, node string, terminating bool) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name}, Spec: corev1.PodSpec{NodeName: node}}
		if terminating {
			p.DeletionTimestamp, p.Finalizers = &now, []string{"test/keep"}
		}
		return p
	}
	c := fake.NewClientBuilder().WithScheme(ipamtest.Scheme()).WithIndex(&corev1.Pod{}, podNodeIndex, indexPodNode).
		WithObjects(pod("a", "n1", true), pod("b", "n1", false), pod("c", "n2", true), pod("d", "n1", true)).Build()
	r := &reconciler{c: &collector{cache: c}}
	got := r.terminatingPodsOn(t.Context(), &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}})
	want := []reconcile.Request{
		{NamespacedName: types.NamespacedName{Namespace: "ns", Name: "a"}},
		{NamespacedName: types.NamespacedName{Namespace: "ns", Name: "d"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestPredicates(t *testing.T) {
	node := func(ready corev1.ConditionStatus) *corev1.Node {
		return &corev1.Node{Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}}}
	}
	nodes := readinessChanged()
	if !nodes.Update(event.UpdateEvent{ObjectOld: node(corev1.ConditionTrue), ObjectNew: node(corev1.ConditionUnknown)}) {
		t.Error("Ready -> Unknown not passed")
	}
	if nodes.Update(event.UpdateEvent{ObjectOld: node(corev1.ConditionFalse), ObjectNew: node(corev1.ConditionUnknown)}) {
		t.Error("NotReady -> Unknown passed")
	}
	running := &corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	terminating := running.DeepCopy()
	terminating.DeletionTimestamp = ptr.To(metav1.Now())
	hostNet := terminating.DeepCopy()
	hostNet.Spec.HostNetwork = true
	for _, switchOn := range []bool{false, true} {
		r := &reconciler{c: &collector{opts: Options{}}}
		r.c.opts.GC.StatelessRunningPodOnEmptyPodStatusIPs = switchOn
		pods := r.podPredicate()
		tests := []struct {
			name string
			got  bool
			want bool
		}{
			{"running pod updated", pods.Update(event.UpdateEvent{ObjectOld: running, ObjectNew: running}), switchOn},
			{"pod terminating", pods.Update(event.UpdateEvent{ObjectOld: running, ObjectNew: terminating}), true},
			{"host-network pod terminating", pods.Update(event.UpdateEvent{ObjectOld: running, ObjectNew: hostNet}), false},
			{"pod deleted", pods.Delete(event.DeleteEvent{Object: running}), true},
			{"running pod created", pods.Create(event.CreateEvent{Object: running}), switchOn},
		}
		for _, tt := range tests {
			if tt.got != tt.want {
				t.Errorf("running-pod switch %v, %s: passed = %v, want %v", switchOn, tt.name, tt.got, tt.want)
			}
		}
	}
}

// A pod name whose release keeps failing is retried at least every
// maxRetryDelay, not after up to 1000 s.
func TestRetryDelayCapped(t *testing.T) {
	rl := retryLimiter()
	req := reconcile.Request{}
	var last time.Duration
	for range 30 {
		last = rl.When(req)
	}
	if last != maxRetryDelay {
		t.Errorf("delay after 30 failures = %v, want %v", last, maxRetryDelay)
	}
	rl.Forget(req)
	if d := rl.When(req); d > time.Second {
		t.Errorf("delay after a success = %v, want the first step again", d)
	}
}
