// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// namespaceReleaseWait bounds how long the addresses and SpiderEndpoints
// of a deleted namespace may outlive the delete call.
const namespaceReleaseWait = 60 * time.Second

// TestGCNamespaceWithStatefulSetDeleted: deleting a namespace that holds a
// StatefulSet of 3 frees every address and removes every SpiderEndpoint of
// it within a minute, three times in a row. The namespace controller
// deletes the pods, the StatefulSet and the endpoints in no fixed order;
// when the pods go first, the StatefulSet still wants their ordinals, so
// their DEL and the GC keep the addresses for the re-created pods, and
// only the StatefulSet's own deletion says that nobody will come back
// (before the GC watched StatefulSets, that waited for the 600 s scan).
func TestGCNamespaceWithStatefulSetDeleted(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, gcTimeout)
	const v4, v6 = "gc-nsdel-v4", "gc-nsdel-v6"
	pools := []string{v4, v6}
	createPool(t, ctx, ipPool(v4, 4, []string{"10.250.33.10-10.250.33.40"}))
	createPool(t, ctx, ipPool(v6, 6, []string{"fd00:250::33:10-fd00:250::33:40"}))
	for round := range 3 {
		ns := fmt.Sprintf("gc-nsdel-%d", round)
		runStatefulSetIn(t, ctx, ns, pools)
		start := time.Now()
		if err := shared.c.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatalf("delete namespace %s: %v", ns, err)
		}
		if left := waitNamespaceReleased(ctx, ns, pools); left != "" {
			t.Errorf("round %d: %s after %s", round, left, time.Since(start).Round(time.Second))
			continue
		}
		t.Logf("round %d: the records and endpoints of namespace %s were gone %s after its deletion",
			round, ns, time.Since(start).Round(100*time.Millisecond))
	}
}

// runStatefulSetIn creates namespace ns with a StatefulSet of 3 pods on
// pools and waits until they run. The namespace is deleted at the end of
// the test if it is still there.
func runStatefulSetIn(t *testing.T, ctx context.Context, ns string, pools []string) {
	t.Helper()
	createNamespace(t, ctx, shared.c, ns)
	sts := statefulSet(ns, "web", 3)
	sts.Spec.PodManagementPolicy = appsv1.ParallelPodManagement
	withPodAnnotations(sts, ippoolAnnotation(pools[:1], pools[1:]))
	if err := shared.c.Create(ctx, sts); err != nil {
		t.Fatalf("create StatefulSet %s/web: %v", ns, err)
	}
	waitRunningPods(t, ctx, shared.c, ns, "web", 3)
}

// waitNamespaceReleased waits up to namespaceReleaseWait until no record
// of pools names a pod of ns and ns has no SpiderEndpoint, and returns ""
// or what was left.
func waitNamespaceReleased(ctx context.Context, ns string, pools []string) string {
	err := wait.PollUntilContextTimeout(ctx, time.Second, namespaceReleaseWait, true, func(ctx context.Context) (bool, error) {
		return namespaceLeftovers(ctx, ns, pools) == "", nil
	})
	if err == nil {
		return ""
	}
	return namespaceLeftovers(ctx, ns, pools) // outside the poll's deadline
}

// namespaceLeftovers describes the records and endpoints of ns left, or
// returns "".
func namespaceLeftovers(ctx context.Context, ns string, pools []string) string {
	recs, err := poolsRecords(ctx, shared.c, pools...)
	if err != nil {
		return err.Error()
	}
	var held []string
	for ip, r := range recs {
		if r.Namespace() == ns {
			held = append(held, ip+" for "+r.NamespacedName)
		}
	}
	eps := &spiderpoolv2beta1.SpiderEndpointList{}
	if err := shared.c.List(ctx, eps, client.InNamespace(ns)); err != nil && !apierrors.IsNotFound(err) {
		return err.Error()
	}
	if len(held) == 0 && len(eps.Items) == 0 {
		return ""
	}
	names := make([]string, 0, len(eps.Items))
	for _, ep := range eps.Items {
		names = append(names, ep.Name)
	}
	return fmt.Sprintf("records %v and SpiderEndpoints %v of namespace %s left", held, names, ns)
}
