// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/event"
)

// TestKeyLocks: one pod name at a time, other names meanwhile, and no
// lock left once nobody holds or waits for it.
func TestKeyLocks(t *testing.T) {
	var k keyLocks
	a, b := types.NamespacedName{Name: "a"}, types.NamespacedName{Name: "b"}
	unlockA := k.lock(a)
	k.lock(b)() // another name does not wait
	var second atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer k.lock(a)()
		second.Store(true)
	}()
	time.Sleep(50 * time.Millisecond)
	if second.Load() {
		t.Fatal("a second holder got the lock of a held name")
	}
	unlockA()
	<-done
	if !second.Load() || len(k.locks) != 0 {
		t.Errorf("second holder ran: %v, locks left: %d", second.Load(), len(k.locks))
	}
}

func TestGoneOrTerminating(t *testing.T) {
	p := goneOrTerminating()
	live, terminating := &corev1.Pod{}, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &metav1.Time{}}}
	for name, got := range map[string]bool{
		"create live":         p.Create(event.CreateEvent{Object: live}),
		"update to live":      p.Update(event.UpdateEvent{ObjectOld: terminating, ObjectNew: live}),
		"generic terminating": p.Generic(event.GenericEvent{Object: terminating}),
	} {
		if got {
			t.Errorf("%s passed", name)
		}
	}
	for name, got := range map[string]bool{
		"create terminating": p.Create(event.CreateEvent{Object: terminating}),
		"update terminating": p.Update(event.UpdateEvent{ObjectOld: live, ObjectNew: terminating}),
		"delete":             p.Delete(event.DeleteEvent{Object: live}),
	} {
		if !got {
			t.Errorf("%s did not pass", name)
		}
	}
}

// TestTeardownLane: the lane never sets a sandbox up and tears down the
// sandbox of a pod that is gone.
func TestTeardownLane(t *testing.T) {
	e := newReconcilerEnv(t)
	lane := teardownReconciler{e.r}
	req := ctrl.Request{NamespacedName: types.NamespacedName{Namespace: "pods", Name: "web-2"}}
	pod := e.createPod(t, "web-2", "uid-2", nil)
	if _, err := lane.Reconcile(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if n, st := e.records(t), e.get(t, "web-2").Status; n != 0 || st.Phase != "" {
		t.Fatalf("teardown lane set a live pod up: %d records, status %+v", n, st)
	}
	if err := e.reconcile(t, "web-2"); err != nil {
		t.Fatal(err)
	}
	if n := e.records(t); n != 1 {
		t.Fatalf("%d records after setup; want 1", n)
	}
	if err := e.c.Delete(t.Context(), pod); err != nil { // no finalizer: gone at once
		t.Fatal(err)
	}
	if _, err := lane.Reconcile(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if n := e.records(t); n != 0 {
		t.Errorf("%d sandbox records after the teardown lane ran for a gone pod", n)
	}
}

// TestNetNSUsable: a pinned namespace is usable; a missing path and the
// plain file a simulator killed mid-creation leaves are not, so that DEL
// runs without CNI_NETNS instead of failing on them forever.
func TestNetNSUsable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("creating a network namespace needs root")
	}
	dir := t.TempDir()
	pinned, plain := filepath.Join(dir, "pinned"), filepath.Join(dir, "plain")
	if err := createNetNS(pinned); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = removeNetNS(pinned) })
	if err := os.WriteFile(plain, nil, 0o444); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{pinned: true, plain: false, filepath.Join(dir, "missing"): false} {
		if got := netNSUsable(path); got != want {
			t.Errorf("netNSUsable(%s) = %t, want %t", filepath.Base(path), got, want)
		}
	}
}
