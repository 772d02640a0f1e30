// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"context"
	"errors"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// errNoRead is what noLists returns: the test fails before it matters.
var errNoRead = errors.New("read")

// countingReader answers Get with ns and counts every read.
type countingReader struct {
	ns    corev1.Namespace
	gets  int
	lists int
}

func (r *countingReader) Get(_ context.Context, _ client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	r.gets++
	*obj.(*corev1.Namespace) = r.ns
	return nil
}

func (r *countingReader) List(context.Context, client.ObjectList, ...client.ListOption) error {
	r.lists++
	return errNoRead
}

// TestPodWithoutAnnotationIsCheap checks what a pod without an inject
// annotation costs the webhook: one read of its namespace (from the
// manager's cache in the controller) and no list of SpiderMultusConfigs.
func TestPodWithoutAnnotationIsCheap(t *testing.T) {
	r := &countingReader{ns: corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "apps"}}}
	h := &podInjectHooks{namespaces: r, configs: r}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "web",
		Annotations: map[string]string{"other": "x"}}}
	if err := h.Default(t.Context(), pod); err != nil {
		t.Fatalf("Default: %v", err)
	}
	if r.gets != 1 || r.lists != 0 {
		t.Errorf("%d namespace reads and %d lists, want 1 and 0", r.gets, r.lists)
	}
	if len(pod.Annotations) != 1 {
		t.Errorf("pod changed: %v", pod.Annotations)
	}
}
