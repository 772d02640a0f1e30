// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/clock"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// recordingObserver counts what an ipam.Observer is told.
type recordingObserver struct {
	mu        sync.Mutex
	waits     map[ipam.Operation]int
	conflicts map[ipam.Operation]int
}

func newRecordingObserver() *recordingObserver {
	return &recordingObserver{waits: map[ipam.Operation]int{}, conflicts: map[ipam.Operation]int{}}
}

func (o *recordingObserver) PoolQueueWait(op ipam.Operation, wait time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if wait >= 0 {
		o.waits[op]++
	}
}

func (o *recordingObserver) PoolConflict(op ipam.Operation) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.conflicts[op]++
}

// TestObserverSeesQueueWaitsAndConflicts: every pool operation reports its
// queue wait once, and every refused status write a conflict of the kind of
// operation it carried.
func TestObserverSeesQueueWaitsAndConflicts(t *testing.T) {
	const conflicts = 3
	funcs, _ := conflictOnStatus(conflicts)
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["a"],"ipv6":["a6"]}`))
	obs := newRecordingObserver()
	svc, c := observedService(t, funcs, obs, clock.RealClock{}, pod,
		newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}),
		newPool("a6", "fd01::/64", []string{"fd01::10-fd01::20"}))
	if _, err := svc.Allocate(t.Context(), addReq(pod, "eth0")); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(t.Context(), pod); err != nil {
		t.Fatal(err)
	}
	if err := svc.Release(t.Context(), delReq(pod)); err != nil {
		t.Fatal(err)
	}
	want := map[ipam.Operation]int{ipam.OperationAllocation: 2, ipam.OperationRelease: 2} // dual stack: two pools each
	if diff := cmp.Diff(want, obs.waits); diff != "" {
		t.Errorf("queue waits (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[ipam.Operation]int{ipam.OperationAllocation: conflicts}, obs.conflicts); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
}

// TestObserverQueueWaitFromClock: the wait is measured with the service's
// clock, from submission to the first attempt.
func TestObserverQueueWaitFromClock(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	clk := clocktesting.NewFakeClock(time.Unix(1000, 0))
	var got []time.Duration
	obs := observerFunc(func(_ ipam.Operation, d time.Duration) { got = append(got, d) })
	svc, _ := observedService(t, interceptor.Funcs{}, obs, clk, pod, newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}))
	if _, err := svc.Allocate(t.Context(), addReq(pod, "eth0")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{0}, got); diff != "" {
		t.Errorf("waits with a stopped clock (-want +got):\n%s", diff)
	}
}

// observerFunc reports queue waits to a function and ignores conflicts.
type observerFunc func(ipam.Operation, time.Duration)

func (f observerFunc) PoolQueueWait(op ipam.Operation, d time.Duration) { f(op, d) }
func (observerFunc) PoolConflict(ipam.Operation)                        {}

func TestOperationString(t *testing.T) {
	for op, want := range map[ipam.Operation]string{
		ipam.OperationAllocation: "allocation", ipam.OperationRelease: "release", 0: "unknown",
	} {
		if got := op.String(); got != want {
			t.Errorf("Operation(%d).String() = %q, want %q", op, got, want)
		}
	}
}

// observedService returns a ready service over a fake client holding what
// newEnv's does plus objs, with obs and clk.
func observedService(t *testing.T, funcs interceptor.Funcs, obs ipam.Observer, clk clock.Clock, objs ...client.Object) (*ipam.Service, client.Client) {
	t.Helper()
	base := newEnv(t, testConfig(), funcs, objs...)
	svc, err := ipam.New(testConfig(), ipam.Deps{Cache: base.client, API: base.client, Store: base.store, Observer: obs, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	return svc, base.client
}
