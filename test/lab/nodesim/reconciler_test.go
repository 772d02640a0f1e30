// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

const testNodeIP = "172.30.0.11"

// reconcilerEnv is a podReconciler on a fake client over a real sandbox runtime.
type reconcilerEnv struct {
	r        *podReconciler
	c        client.Client
	recorder *record.FakeRecorder
}

func newReconcilerEnv(t *testing.T) *reconcilerEnv {
	node := newTestNode(t)
	dataDir, confDir := t.TempDir(), t.TempDir()
	def := macvlanNet(t, "labnet", "eth0", "eth0", dataDir, "10.250.0.0/24")
	if err := os.WriteFile(filepath.Join(confDir, "10-labnet.conflist"), def.Config, 0o600); err != nil {
		t.Fatal(err)
	}
	extra := macvlanNet(t, "extra", "net1", "eth0", dataDir, "10.252.0.0/24")
	nad := &unstructured.Unstructured{}
	nad.SetGroupVersionKind(nadGVK)
	nad.SetNamespace("pods")
	nad.SetName("extra")
	if err := unstructured.SetNestedField(nad.Object, string(extra.Config), "spec", "config"); err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithStatusSubresource(&corev1.Pod{}).WithObjects(nad).Build()
	env := &reconcilerEnv{c: c, recorder: record.NewFakeRecorder(16)}
	env.r = &podReconciler{
		client:   c,
		resolver: networkResolver{reader: c, cniConfDir: confDir, agentNamespace: "kube-system"},
		runtime:  node.runtime(t),
		recorder: env.recorder,
		nodeName: "node1",
		nodeIP:   testNodeIP,
	}
	t.Cleanup(func() {
		if left := node.podNetNSes(t); len(left) != 0 {
			t.Errorf("pod netns left behind: %v", left)
		}
	})
	return env
}

func (e *reconcilerEnv) createPod(t *testing.T, name, uid string, mutate func(*corev1.Pod)) *corev1.Pod {
	t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "pods", Name: name, UID: types.UID(uid)},
		Spec:       corev1.PodSpec{NodeName: "node1", Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
	}
	if mutate != nil {
		mutate(pod)
	}
	if err := e.c.Create(t.Context(), pod); err != nil {
		t.Fatal(err)
	}
	return pod
}

func (e *reconcilerEnv) reconcile(t *testing.T, name string) error {
	t.Helper()
	_, err := e.r.Reconcile(t.Context(), ctrl.Request{NamespacedName: types.NamespacedName{Namespace: "pods", Name: name}})
	return err
}

func (e *reconcilerEnv) get(t *testing.T, name string) *corev1.Pod {
	t.Helper()
	pod := &corev1.Pod{}
	if err := e.c.Get(t.Context(), client.ObjectKey{Namespace: "pods", Name: name}, pod); err != nil {
		t.Fatal(err)
	}
	return pod
}

func (e *reconcilerEnv) records(t *testing.T) int {
	t.Helper()
	recs, err := e.r.runtime.store.list()
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

func TestReconcilerLifecycle(t *testing.T) {
	e := newReconcilerEnv(t)
	e.createPod(t, "web-0", "uid-a", func(p *corev1.Pod) {
		p.Annotations = map[string]string{AnnotationNetworks: "extra"}
		p.Finalizers = []string{"test/keep"}
	})
	if err := e.reconcile(t, "web-0"); err != nil {
		t.Fatal(err)
	}
	pod := e.get(t, "web-0")
	if pod.Status.Phase != corev1.PodRunning || !strings.HasPrefix(pod.Status.PodIP, "10.250.0.") {
		t.Fatalf("status = %+v", pod.Status)
	}
	var st []networkStatus
	if err := json.Unmarshal([]byte(pod.Annotations[AnnotationNetworkStatus]), &st); err != nil || len(st) != 2 ||
		st[0].Name != "labnet" || st[1].Name != "pods/extra" || st[1].Interface != "net1" {
		t.Fatalf("network-status = %+v (%v)", st, err)
	}
	if err := e.reconcile(t, "web-0"); err != nil {
		t.Fatal(err)
	}
	if again := e.get(t, "web-0"); again.ResourceVersion != pod.ResourceVersion {
		t.Errorf("second reconcile changed the pod: rv %s -> %s", pod.ResourceVersion, again.ResourceVersion)
	}

	// Deleting: the finalizer keeps the object, so the fake shows deletionTimestamp.
	if err := e.c.Delete(t.Context(), pod); err != nil {
		t.Fatal(err)
	}
	if err := e.reconcile(t, "web-0"); err != nil {
		t.Fatal(err)
	}
	if n := e.records(t); n != 0 {
		t.Errorf("%d sandbox records after deletion", n)
	}
}

func TestReconcilerForceDeleteAndRecreate(t *testing.T) {
	e := newReconcilerEnv(t)
	old := e.createPod(t, "web-1", "uid-old", nil)
	if err := e.reconcile(t, "web-1"); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Delete(t.Context(), old); err != nil { // force delete: gone at once
		t.Fatal(err)
	}
	e.createPod(t, "web-1", "uid-new", nil) // StatefulSet recreates the name
	if err := e.reconcile(t, "web-1"); err != nil {
		t.Fatal(err)
	}
	recs, err := e.r.runtime.store.list()
	if err != nil || len(recs) != 1 || recs[0].Pod.UID != "uid-new" {
		t.Fatalf("records = %+v (%v), want only uid-new", recs, err)
	}
	if err := e.c.Delete(t.Context(), e.get(t, "web-1")); err != nil {
		t.Fatal(err)
	}
	if err := e.reconcile(t, "web-1"); err != nil {
		t.Fatal(err)
	}
	if n := e.records(t); n != 0 {
		t.Errorf("%d sandbox records after force delete", n)
	}
}

func TestReconcilerFailedAddAndHostNetwork(t *testing.T) {
	e := newReconcilerEnv(t)
	e.createPod(t, "broken", "uid-b", func(p *corev1.Pod) {
		p.Annotations = map[string]string{AnnotationNetworks: "no-such-nad"}
	})
	if err := e.reconcile(t, "broken"); err == nil {
		t.Fatal("reconcile of a pod with a missing NAD succeeded")
	}
	select {
	case ev := <-e.recorder.Events:
		if !strings.HasPrefix(ev, fmt.Sprintf("%s %s", corev1.EventTypeWarning, ReasonFailedCreatePodSandBox)) ||
			!strings.Contains(ev, "no-such-nad") {
			t.Errorf("event = %q", ev)
		}
	default:
		t.Error("no event recorded for the failed ADD")
	}
	if n := e.records(t); n != 0 {
		t.Errorf("%d sandbox records after a failed ADD", n)
	}

	e.createPod(t, "host", "uid-h", func(p *corev1.Pod) { p.Spec.HostNetwork = true })
	if err := e.reconcile(t, "host"); err != nil {
		t.Fatal(err)
	}
	if pod := e.get(t, "host"); pod.Status.PodIP != testNodeIP || pod.Status.Phase != corev1.PodRunning {
		t.Errorf("hostNetwork pod status = %+v", pod.Status)
	}
}
