// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook_test

import (
	"context"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// rejected checks that err is the API server relaying a webhook's denial
// (or a schema rule's) and that its message holds every want.
func rejected(t *testing.T, err error, check func(error) bool, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want a rejection with %q", wants)
	}
	if !check(err) {
		t.Errorf("rejected with reason %q: %v", apierrors.ReasonForError(err), err)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("rejection %q lacks %q", err, w)
		}
	}
}

// create creates obj and fails the test on error; obj holds what the API
// server stored, mutations included.
func create(t *testing.T, c client.Client, obj client.Object) {
	t.Helper()
	if err := c.Create(t.Context(), obj); err != nil {
		t.Fatalf("create %s: %v", obj.GetName(), err)
	}
}

// release removes Spiderpool's finalizer and deletes obj, as the
// controllers would once nothing is allocated. It runs in t.Cleanup, when
// t.Context() is already done.
func release(t *testing.T, c client.Client, obj client.Object) {
	t.Helper()
	ctx := context.WithoutCancel(t.Context())
	if err := c.Get(ctx, client.ObjectKeyFromObject(obj), obj); apierrors.IsNotFound(err) {
		return
	} else if err != nil {
		t.Fatalf("get %s: %v", obj.GetName(), err)
	}
	if controllerutil.RemoveFinalizer(obj, spiderpoolv2beta1.SpiderFinalizer) {
		if err := c.Update(ctx, obj); err != nil {
			t.Fatalf("remove finalizer of %s: %v", obj.GetName(), err)
		}
	}
	if err := c.Delete(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
		t.Fatalf("delete %s: %v", obj.GetName(), err)
	}
}

func ipPool(name, subnet string, ips ...string) *spiderpoolv2beta1.SpiderIPPool {
	return &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       spiderpoolv2beta1.IPPoolSpec{Subnet: subnet, IPs: ips},
	}
}

func spiderSubnet(name, subnet string, ips ...string) *spiderpoolv2beta1.SpiderSubnet {
	return &spiderpoolv2beta1.SpiderSubnet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       spiderpoolv2beta1.SubnetSpec{Subnet: subnet, IPs: ips},
	}
}

// allocate writes status.allocatedIPs of pool as the agent would.
func allocate(t *testing.T, c client.Client, pool *spiderpoolv2beta1.SpiderIPPool, allocations spiderpoolv2beta1.PoolIPAllocations) {
	t.Helper()
	pool.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(allocations)
	pool.Status.AllocatedIPCount = ptr.To(int64(len(allocations)))
	if err := c.Status().Update(t.Context(), pool); err != nil {
		t.Fatalf("update status of %s: %v", pool.Name, err)
	}
}
